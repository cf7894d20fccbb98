// Which of the given titles have no SIMILAR_TO edge of the model version (new, not embedded).
UNWIND $ids AS id
MATCH (t:Title {titleId: id})
WHERE NOT EXISTS { (t)-[:SIMILAR_TO {modelVersion: $model_version}]->() }
RETURN collect(t.titleId) AS ids
