// Top-k similar users of one model version (batched rows {source, targets: [{id, score, rank}]}).
UNWIND $rows AS row
MATCH (a:User {userId: row.source})
UNWIND row.targets AS target
MATCH (b:User {userId: target.id})
MERGE (a)-[r:SIMILAR_USER {model: $model, modelVersion: $version}]->(b)
SET r.score = target.score, r.rank = target.rank, r.computedAt = datetime()
