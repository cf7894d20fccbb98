// A new user; `created` is false (and nothing is changed) when the id already exists.
CYPHER replan=skip
MERGE (u:User {userId: $user_id})
ON CREATE SET u.pendingCreate = true
WITH u, coalesce(u.pendingCreate, false) AS created
REMOVE u.pendingCreate
WITH u, created
CALL (u, created) {
  WITH u WHERE created
  SET u.name = $name, u.age = $age, u.gender = $gender, u.occupation = $occupation,
      u.dataset = $dataset, u.createdAt = datetime()
}
RETURN created
