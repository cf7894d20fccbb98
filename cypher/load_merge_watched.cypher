// Loaders: views and plays, aggregated per user and title by the source (SET, never added to).
// $rows: [{u, items: [{t, count, completion, first, last (Unix seconds or null), session}]}], one
// entry per user.
UNWIND $rows AS row
MATCH (u:User {userId: row.u})
UNWIND row.items AS it
MATCH (t:Title {titleId: it.t})
MERGE (u)-[r:WATCHED]->(t)
SET r.count = it.count, r.completion = it.completion, r.sessionId = it.session,
    r.firstAt = CASE WHEN it.first IS NULL THEN null ELSE datetime({epochSeconds: it.first}) END,
    r.lastAt = CASE WHEN it.last IS NULL THEN null ELSE datetime({epochSeconds: it.last}) END
