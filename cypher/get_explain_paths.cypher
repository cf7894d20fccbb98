// Graph paths user -> (positive) -> anchor -> SIMILAR_TO (model version) -> title, with the
// user's rating of the anchor when they rated it.
CYPHER replan=skip
MATCH (u:User {userId: $user_id})-[r:WATCHED|RATED|LIKED|SHARED|ADDED_TO_LIST]->(a:Title)
      -[s:SIMILAR_TO {modelVersion: $model_version}]->(t:Title {titleId: $item_id})
WHERE NOT EXISTS { (u)-[:DISLIKED|NOT_INTERESTED]->(a) }
WITH a, s, collect(DISTINCT type(r)) AS relations,
     max(CASE WHEN type(r) = 'RATED' THEN r.rating END) AS rating
RETURN a.titleId AS anchor_id, a.title AS anchor_title, relations, rating, s.score AS score,
       s.rank AS rank
ORDER BY score DESC, anchor_id
LIMIT $k
