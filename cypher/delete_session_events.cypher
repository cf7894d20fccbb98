// Remove up to $batch interaction events of one session (the API benchmark's own clicks, so
// that runs do not pile events onto the users they measure). Run until it deletes nothing.
MATCH (e:Event {sessionId: $session_id})
WITH e
LIMIT $batch
DETACH DELETE e
RETURN count(*) AS deleted
