// graphrec: a picture of one user's community (edit the id): its members, their friendships and
// the links that leave it (bridges), active analysis
WITH '1' AS userId
MATCH (a:Analysis {status: 'active'})
MATCH (:User {userId: userId})-[:MEMBER_OF {analysisVersion: a.version}]->(c:Community)
MATCH (u:User)-[:MEMBER_OF]->(c)
WITH a, c, collect(u)[..60] AS members
UNWIND members AS u
MATCH p = (u)-[:FRIENDS_WITH|TRUSTS]-(:User)
RETURN c, p LIMIT 150
