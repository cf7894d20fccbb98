// graphrec: what a user's friends (and the people they trust) watched
WITH '1' AS userId
MATCH (u:User {userId: userId})-[:FRIENDS_WITH|TRUSTS]-(f:User)-[:WATCHED|RATED|LIKED]->(t:Title)
WHERE NOT (u)-[:WATCHED|RATED]->(t)
RETURN t.title AS title, count(DISTINCT f) AS friends, collect(DISTINCT f.userId)[..5] AS who
ORDER BY friends DESC LIMIT 25
