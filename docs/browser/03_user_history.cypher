// graphrec: one user's history (edit the id), newest first
WITH '1' AS userId
MATCH (u:User {userId: userId})-[r:WATCHED|RATED|LIKED|DISLIKED|SHARED|ADDED_TO_LIST]->(t:Title)
RETURN t.title AS title, type(r) AS how, r.rating AS rating, r.completion AS completion,
       coalesce(r.lastAt, r.at) AS at
ORDER BY at DESC LIMIT 50
