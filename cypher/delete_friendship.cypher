// Remove a friendship in whichever direction it is stored; returns how many were removed.
CYPHER replan=skip
MATCH (:User {userId: $user_id})-[f:FRIENDS_WITH]-(:User {userId: $friend_id})
DELETE f
RETURN count(f) AS deleted
