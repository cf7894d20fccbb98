// graphrec: nearest titles to one title by its embedding (the vector index of the promoted model)
WITH 'Toy Story (1995)' AS name
MATCH (t:Title) WHERE t.title = name AND t.embedding IS NOT NULL
CALL db.index.vector.queryNodes('title_embedding', 11, t.embedding) YIELD node, score
WHERE node <> t
RETURN node.title AS title, round(score, 3) AS score
