// Loaders: directed trust links. $rows: [{a, b, weight}]: a trusts b.
UNWIND $rows AS row
MATCH (a:User {userId: row.a})
MATCH (b:User {userId: row.b})
MERGE (a)-[r:TRUSTS]->(b)
SET r.weight = row.weight
