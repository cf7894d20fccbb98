// Atomically promote one version and retire the previously promoted one of the same name. A
// full promotion ends any gradual rollout of that name (every user is served the promoted one).
MATCH (m:Model {name: $name, version: $version})
WHERE m.status IN ['ready', 'promoted', 'retired']
OPTIONAL MATCH (old:Model {name: $name, status: 'promoted'})
WHERE old <> m
SET old.status = 'retired'
SET m.status = 'promoted', m.promotedAt = datetime()
WITH m, old
CALL (m) {
  MATCH (r:Model {name: m.name})
  WHERE r.trafficPercent IS NOT NULL
  REMOVE r.trafficPercent, r.rolloutAt
}
RETURN m.modelId AS modelId, old.version AS previous
