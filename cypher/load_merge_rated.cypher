// Loaders: explicit ratings. $rows: [{u, items: [{t, rating, at (Unix seconds or null)}]}], one
// entry per user.
UNWIND $rows AS row
MATCH (u:User {userId: row.u})
UNWIND row.items AS it
MATCH (t:Title {titleId: it.t})
MERGE (u)-[r:RATED]->(t)
SET r.rating = it.rating,
    r.at = CASE WHEN it.at IS NULL THEN null ELSE datetime({epochSeconds: it.at}) END
