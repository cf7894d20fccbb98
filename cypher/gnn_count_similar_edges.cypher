// SIMILAR_TO and SIMILAR_USER edge counts per model version.
MATCH ()-[r:SIMILAR_TO|SIMILAR_USER]->()
WHERE r.model = $model
RETURN type(r) AS type, r.modelVersion AS version, count(*) AS edges
ORDER BY type, version
