// Store (or, with $ranker null, remove) the learned ranker of a model version (JSON, see
// gnn/ranker.py) and its figures beside the hand weights ($ranker_metrics JSON).
MATCH (m:Model {modelId: $model_id})
SET m.ranker = $ranker, m.rankerMetrics = $ranker_metrics
RETURN m.modelId AS modelId
