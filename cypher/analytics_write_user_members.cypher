// Analytics: users' MEMBER_OF of one version, with their influence (PageRank x number of users:
// 1.0 is the average user) and bridging (participation coefficient: 0 = every link inside the
// own community). $rows: [{u, c, influence, bridging}].
UNWIND $rows AS row
MATCH (u:User {userId: row.u})
MATCH (c:Community {id: row.c})
MERGE (u)-[m:MEMBER_OF]->(c)
SET m.analysisVersion = $version, m.influence = row.influence, m.bridging = row.bridging
