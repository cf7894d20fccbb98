// Analytics: register a version being written. Its communities stay invisible to every reader
// (they read the `active` version only) until analytics_activate flips it in one transaction.
MERGE (a:Analysis {version: $version})
SET a.status = 'writing', a.parameters = $parameters, a.startedAt = datetime()
REMOVE a.metrics, a.activatedAt
RETURN a.version AS version
