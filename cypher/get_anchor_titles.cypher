// A user's recent, strongly positive titles (the anchors of "because you watched").
// Strength: like 1.0, share 0.9, rating (r - 2.5) / 2.5, watched 0.8 x completion (+0.2 if
// watched more than once), watch-list 0.5; disliked or not-interested titles never count.
MATCH (u:User {userId: $user_id})-[r:WATCHED|RATED|LIKED|SHARED|ADDED_TO_LIST]->(a:Title)
WHERE NOT EXISTS { (u)-[:DISLIKED|NOT_INTERESTED]->(a) }
WITH a,
     max(CASE type(r)
       WHEN 'LIKED' THEN 1.0
       WHEN 'SHARED' THEN 0.9
       WHEN 'RATED' THEN (toFloat(r.rating) - 2.5) / 2.5
       WHEN 'WATCHED' THEN 0.8 * coalesce(r.completion, 0.5)
         + CASE WHEN coalesce(r.count, 1) > 1 THEN 0.2 ELSE 0.0 END
       ELSE 0.5 END) AS strength,
     max(coalesce(r.lastAt, r.at, r.firstAt, datetime({epochMillis: 0}))) AS at
WHERE strength >= $min_strength
RETURN a.titleId AS item_id, a.title AS title, strength, toString(at) AS at
ORDER BY at DESC, strength DESC, item_id
LIMIT $anchors
