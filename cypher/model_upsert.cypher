// Create or update a Model registry node ($props: name, version, algorithm, status, ...).
MERGE (m:Model {modelId: $model_id})
SET m += $props, m.trainedAt = coalesce(m.trainedAt, datetime())
RETURN m.modelId AS modelId
