// Delete up to $batch_size SIMILAR_TO edges of some versions of a model (or of some sources).
MATCH (a:Title)-[r:SIMILAR_TO]->()
WHERE r.model = $model AND r.modelVersion IN $versions
  AND ($source_ids IS NULL OR a.titleId IN $source_ids)
WITH r LIMIT $batch_size
DELETE r
RETURN count(*) AS deleted
