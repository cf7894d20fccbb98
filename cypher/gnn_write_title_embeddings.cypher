// Store the promoted model's title embeddings (batched rows {id, embedding}).
UNWIND $rows AS row
MATCH (t:Title {titleId: row.id})
SET t.embedding = row.embedding, t.embeddingVersion = $version
