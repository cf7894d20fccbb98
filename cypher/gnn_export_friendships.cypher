// Social links between users (friendships and trust), optionally touching some users.
MATCH (a:User)-[:FRIENDS_WITH|TRUSTS]->(b:User)
WHERE ($dataset IS NULL OR a.dataset = $dataset)
  AND ($user_ids IS NULL OR a.userId IN $user_ids OR b.userId IN $user_ids)
RETURN a.userId AS userId, b.userId AS friendId
