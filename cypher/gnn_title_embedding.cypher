// One title's stored embedding and the model version it comes from.
MATCH (t:Title {titleId: $title_id})
RETURN t.embedding AS embedding, t.embeddingVersion AS version
