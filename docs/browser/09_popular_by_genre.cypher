// graphrec: the most popular titles of every genre
MATCH (g:Genre)<-[:IN_GENRE]-(t:Title)
WHERE coalesce(g.unknown, false) = false
WITH g, t ORDER BY t.popularity DESC
WITH g, collect(t.title)[..5] AS top, count(t) AS titles
RETURN g.name AS genre, titles, top ORDER BY titles DESC
