// One user's profile: preferences and counts of friends and positive history.
CYPHER replan=skip
MATCH (u:User {userId: $user_id})
RETURN u.userId AS user_id, u.name AS name, u.age AS age, u.gender AS gender,
       u.occupation AS occupation, toString(u.createdAt) AS created_at,
       COLLECT { MATCH (u)-[:PREFERS]->(g:Genre) RETURN g.name ORDER BY g.name }
         AS preferred_genres,
       COUNT { (u)-[:FRIENDS_WITH]-(:User) } AS friends,
       COUNT { (u)-[:WATCHED|RATED|LIKED|SHARED|ADDED_TO_LIST]->(:Title) } AS interactions,
       u.embeddingVersion IS NOT NULL AS has_embedding
