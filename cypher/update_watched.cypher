// view / watch / complete / abandon: the aggregate WATCHED edge (count, completion, times).
CYPHER replan=skip
MATCH (u:User {userId: $user_id}), (t:Title {titleId: $item_id})
MERGE (u)-[w:WATCHED]->(t)
ON CREATE SET w.firstAt = $at, w.count = 0, w.completion = 0.0
SET w.count = CASE WHEN w.count + $count_increment < 1 THEN 1 ELSE w.count + $count_increment END,
    w.completion = CASE
      WHEN $completion IS NULL THEN w.completion
      WHEN $completion > coalesce(w.completion, 0.0) THEN $completion
      ELSE w.completion END,
    w.lastAt = CASE WHEN w.lastAt IS NULL OR $at > w.lastAt THEN $at ELSE w.lastAt END,
    w.sessionId = coalesce($session_id, w.sessionId)
RETURN w.count AS count
