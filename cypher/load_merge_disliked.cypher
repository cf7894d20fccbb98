// Loaders: DISLIKED interactions. $rows: [{u, items: [{t, at (Unix seconds or null)}]}], one entry
// per user.
UNWIND $rows AS row
MATCH (u:User {userId: row.u})
UNWIND row.items AS it
MATCH (t:Title {titleId: it.t})
MERGE (u)-[r:DISLIKED]->(t)
SET r.at = CASE WHEN it.at IS NULL THEN null ELSE datetime({epochSeconds: it.at}) END
