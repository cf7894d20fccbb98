// Which of the given title ids exist.
CYPHER replan=skip
UNWIND $ids AS id
MATCH (t:Title {titleId: id})
RETURN collect(t.titleId) AS ids
