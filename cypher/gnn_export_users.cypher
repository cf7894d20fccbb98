// Every user id (the GNN's user node index), optionally of one dataset tag.
MATCH (u:User)
WHERE $dataset IS NULL OR u.dataset = $dataset
RETURN u.userId AS userId
