// Top-k similar titles of one model version: batched rows {source, targets: [{id, score, rank}]},
// each source once per batch. A source's edges of this version are replaced (deleted, then
// created), so a retried, resumed or repeated write leaves exactly its top-k, and no MERGE has
// to scan the many relationships a popular node gathers within the transaction.
UNWIND $rows AS row
MATCH (a:Title {titleId: row.source})
CALL (a) {
  MATCH (a)-[old:SIMILAR_TO {model: $model, modelVersion: $version}]->()
  DELETE old
}
WITH a, row
UNWIND row.targets AS target
MATCH (b:Title {titleId: target.id})
CREATE (a)-[r:SIMILAR_TO {model: $model, modelVersion: $version}]->(b)
SET r.score = target.score, r.rank = target.rank, r.computedAt = $computed_at
