// Create an experiment in status 'draft' with its variants (in order; the first is the control).
// No row when an experiment of that name exists already (nothing is written then).
OPTIONAL MATCH (old:Experiment {name: $name})
WITH old WHERE old IS NULL
CREATE (e:Experiment {name: $name, status: 'draft', config: $config, createdAt: datetime()})
WITH e
UNWIND range(0, size($variants) - 1) AS i
WITH e, i, $variants[i] AS v
CREATE (e)-[:HAS_VARIANT]->(:Variant {experiment: $name, name: v.name, position: i,
  trafficPercent: v.traffic_percent, config: v.config})
RETURN e.name AS name, count(*) AS variants
