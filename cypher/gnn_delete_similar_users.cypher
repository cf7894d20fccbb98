// Delete up to $batch_size SIMILAR_USER edges of some versions of a model (or of some sources).
MATCH (a:User)-[r:SIMILAR_USER]->()
WHERE r.model = $model AND r.modelVersion IN $versions
  AND ($source_ids IS NULL OR a.userId IN $source_ids)
WITH r LIMIT $batch_size
DELETE r
RETURN count(*) AS deleted
