// The GNN's vector indexes with their configured dimensions.
SHOW VECTOR INDEXES YIELD name, state, options
WHERE name IN ['title_embedding', 'user_embedding']
RETURN name, state, options.indexConfig.`vector.dimensions` AS dimensions
