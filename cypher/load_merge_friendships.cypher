// Loaders: mutual friendships, stored once per pair (either direction matches).
// $rows: [{a, b, weight, since (Unix seconds or null)}].
UNWIND $rows AS row
MATCH (a:User {userId: row.a})
MATCH (b:User {userId: row.b})
MERGE (a)-[r:FRIENDS_WITH]-(b)
SET r.weight = row.weight,
    r.since = CASE WHEN row.since IS NULL THEN null ELSE datetime({epochSeconds: row.since}) END
