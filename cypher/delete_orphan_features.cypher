// Remove feature nodes no title points at any more (after a dataset was cleared).
MATCH (n)
WHERE (n:Genre OR n:Keyword OR n:Platform) AND NOT (n)--()
WITH n LIMIT $batch_size
DELETE n
RETURN count(*) AS deleted
