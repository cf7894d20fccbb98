// Which of the given title ids exist.
UNWIND $ids AS id
MATCH (t:Title {titleId: id})
RETURN collect(t.titleId) AS ids
