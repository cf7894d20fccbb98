// Every title id (the GNN's title node index), optionally of one dataset tag.
MATCH (t:Title)
WHERE $dataset IS NULL OR t.dataset = $dataset
RETURN t.titleId AS titleId
