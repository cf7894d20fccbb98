// Top-k similar titles of one model version (batched rows {source, targets: [{id, score, rank}]}).
UNWIND $rows AS row
MATCH (a:Title {titleId: row.source})
UNWIND row.targets AS target
MATCH (b:Title {titleId: target.id})
MERGE (a)-[r:SIMILAR_TO {model: $model, modelVersion: $version}]->(b)
SET r.score = target.score, r.rank = target.rank, r.computedAt = datetime()
