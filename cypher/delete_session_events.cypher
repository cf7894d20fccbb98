// Remove up to $batch_size interaction events of one session (the API benchmark's own clicks, so
// that runs do not pile events onto the users they measure). Run until it deletes nothing.
MATCH (e:Event {sessionId: $session_id})
WITH e
LIMIT $batch_size
DETACH DELETE e
RETURN count(*) AS deleted
