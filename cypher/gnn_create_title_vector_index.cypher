// Cosine vector index on Title.embedding, for db.index.vector.queryNodes('title_embedding', ...).
CREATE VECTOR INDEX title_embedding IF NOT EXISTS
FOR (t:Title) ON t.embedding
OPTIONS {indexConfig: {`vector.dimensions`: $dimensions, `vector.similarity_function`: 'cosine'}}
