// Move an experiment to $status when it is in one of $from; stamps startedAt / endedAt once.
// No row when it is unknown or not in one of $from.
MATCH (e:Experiment {name: $name})
WHERE e.status IN $from
SET e.status = $status,
    e.startedAt = CASE WHEN $status = 'running' THEN coalesce(e.startedAt, datetime())
                  ELSE e.startedAt END,
    e.endedAt = CASE WHEN $status IN ['analyzing', 'concluded'] THEN coalesce(e.endedAt, datetime())
                ELSE e.endedAt END
RETURN e.status AS status
