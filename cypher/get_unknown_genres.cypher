// Which of the given genre names are not in the graph.
CYPHER replan=skip
UNWIND $genres AS name
OPTIONAL MATCH (g:Genre {name: name})
WITH name, g WHERE g IS NULL
RETURN collect(name) AS unknown
