// Serve one version of a model to $percent % of its users (a gradual rollout), or change the
// share of the version already in rollout. Only a ready or retired version, while another is
// promoted and no other version is in rollout; no row otherwise. `before` is the former share.
MATCH (m:Model {name: $name, version: $version})
WHERE m.status IN ['ready', 'retired']
  AND EXISTS { MATCH (:Model {name: $name, status: 'promoted'}) }
  AND NOT EXISTS {
    MATCH (o:Model {name: $name})
    WHERE o <> m AND o.trafficPercent IS NOT NULL
  }
WITH m, m.trafficPercent AS before
SET m.trafficPercent = $percent, m.rolloutAt = coalesce(m.rolloutAt, datetime())
RETURN m.modelId AS modelId, before
