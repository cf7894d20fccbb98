// Store the promoted model's user embeddings (batched rows {id, embedding}).
UNWIND $rows AS row
MATCH (u:User {userId: row.id})
SET u.embedding = row.embedding, u.embeddingVersion = $version
