// Delete up to $batch_size nodes of one dataset (or of every dataset when $dataset is null).
MATCH (n)
WHERE (n:User OR n:Title OR n:Person OR n:Event OR n:LoadBatch)
  AND ($dataset IS NULL OR n.dataset = $dataset)
WITH n LIMIT $batch_size
DETACH DELETE n
RETURN count(*) AS deleted
