// graphrec: the most influential users (PageRank, 1.0 = average) and how much each bridges
// communities (participation: 0 = all friends in the own community), active analysis
MATCH (a:Analysis {status: 'active'})
MATCH (u:User)-[m:MEMBER_OF {analysisVersion: a.version}]->(c:Community)
RETURN u.userId AS user, u.name AS name, round(m.influence, 2) AS influence,
       round(m.bridging, 2) AS bridging, c.id AS community,
       COUNT { (u)-[:FRIENDS_WITH|TRUSTS]-() } AS links
ORDER BY influence DESC LIMIT 25
