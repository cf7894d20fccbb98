// Names of the online vector indexes (title_embedding, user_embedding when the GNN wrote them).
CYPHER replan=skip
SHOW VECTOR INDEXES YIELD name, state
WHERE state = 'ONLINE'
RETURN collect(name) AS names
