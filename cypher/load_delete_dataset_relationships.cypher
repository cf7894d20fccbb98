// Loaders: delete up to $batch_size relationships of one dataset's users and titles, so that
// deleting the nodes afterwards (graph.schema.clear) stays within a small transaction.
MATCH (n)-[r]-()
WHERE (n:User OR n:Title) AND n.dataset = $dataset
WITH DISTINCT r LIMIT $batch_size
DELETE r
RETURN count(*) AS deleted
