// Content features of titles (genre, person, keyword), optionally only of some titles.
MATCH (t:Title)-[:IN_GENRE]->(g:Genre)
WHERE ($dataset IS NULL OR t.dataset = $dataset)
  AND ($title_ids IS NULL OR t.titleId IN $title_ids)
RETURN t.titleId AS titleId, 'genre' AS kind, g.name AS key
UNION ALL
MATCH (p:Person)-[:ACTED_IN|DIRECTED]->(t:Title)
WHERE ($dataset IS NULL OR t.dataset = $dataset)
  AND ($title_ids IS NULL OR t.titleId IN $title_ids)
RETURN t.titleId AS titleId, 'person' AS kind, p.personId AS key
UNION ALL
MATCH (t:Title)-[:HAS_KEYWORD]->(k:Keyword)
WHERE ($dataset IS NULL OR t.dataset = $dataset)
  AND ($title_ids IS NULL OR t.titleId IN $title_ids)
RETURN t.titleId AS titleId, 'keyword' AS kind, k.name AS key
