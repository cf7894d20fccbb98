// Analytics: the genres of every title (the placeholder genre of titles without one left out).
MATCH (t:Title)-[:IN_GENRE]->(g:Genre)
WHERE NOT coalesce(g.unknown, false)
RETURN t.titleId AS titleId, g.name AS genre
