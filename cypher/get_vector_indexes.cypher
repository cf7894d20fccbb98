// Names of the online vector indexes (title_embedding, user_embedding when the GNN wrote them).
SHOW VECTOR INDEXES YIELD name, state
WHERE state = 'ONLINE'
RETURN collect(name) AS names
