// Atomically promote one version and retire the previously promoted one of the same name.
MATCH (m:Model {name: $name, version: $version})
WHERE m.status IN ['ready', 'promoted', 'retired']
OPTIONAL MATCH (old:Model {name: $name, status: 'promoted'})
WHERE old <> m
SET old.status = 'retired'
SET m.status = 'promoted', m.promotedAt = datetime()
RETURN m.modelId AS modelId, old.version AS previous
