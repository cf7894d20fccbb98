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
CREATE (a)-[:SIMILAR_TO {model: $model, modelVersion: $version, score: target.score,
                          rank: target.rank, computedAt: $computed_at}]->(b)
