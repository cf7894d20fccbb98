// Analytics: make a fully written version the active one, in one transaction: the previous
// active version is retired, and every user's `influence` becomes this version's (users outside
// it lose theirs). Returns nothing unless the version exists and is being written.
MATCH (a:Analysis {version: $version, status: 'writing'})
OPTIONAL MATCH (old:Analysis {status: 'active'})
WHERE old <> a
SET old.status = 'retired'
SET a.status = 'active', a.activatedAt = datetime(), a.metrics = $metrics
WITH a, old
CALL (a) {
  MATCH (u:User)
  WHERE u.influenceVersion IS NOT NULL AND u.influenceVersion <> a.version
  REMOVE u.influence, u.influenceVersion
}
CALL (a) {
  MATCH (u:User)-[m:MEMBER_OF {analysisVersion: a.version}]->(:Community)
  SET u.influence = m.influence, u.influenceVersion = a.version
}
RETURN a.version AS version, old.version AS previous
