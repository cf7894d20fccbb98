// Delete up to $batch_size nodes of any label (a full wipe, in bounded transactions).
MATCH (n)
WITH n LIMIT $batch_size
DETACH DELETE n
RETURN count(*) AS deleted
