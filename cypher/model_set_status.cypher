// Set the status (and optionally the metrics JSON) of a model.
MATCH (m:Model {modelId: $model_id})
SET m.status = $status, m.metrics = coalesce($metrics, m.metrics)
RETURN m.modelId AS modelId
