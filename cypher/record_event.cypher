// One API interaction as an Event (MERGE on eventId: exactly once) with its context (session,
// device, the list and rank it was shown at, the hour of day). `created` is true only for the
// transaction that created it; the stored fields come back so a retry answers the same.
CYPHER replan=skip
MATCH (u:User {userId: $user_id}), (t:Title {titleId: $item_id})
MERGE (e:Event {eventId: $event_id})
ON CREATE SET e.pendingCreate = true, e.action = $action, e.value = $value, e.at = $at,
              e.userId = $user_id, e.titleId = $item_id, e.sessionId = $session_id,
              e.deviceType = $device_type, e.source = $source, e.position = $position,
              e.hour = $hour
WITH u, t, e, coalesce(e.pendingCreate, false) AS created
REMOVE e.pendingCreate
WITH u, t, e, created
CALL (u, t, e, created) {
  WITH u, t, e WHERE created
  MERGE (e)-[:BY]->(u)
  MERGE (e)-[:ON]->(t)
}
RETURN created, e.eventId AS event_id, e.action AS action, e.value AS value,
       e.userId AS user_id, e.titleId AS item_id, e.at AS at
