// Display metadata of the given titles.
CYPHER replan=skip
UNWIND $ids AS id
MATCH (t:Title {titleId: id})
RETURN t.titleId AS item_id, t.title AS title, t.year AS year, t.kind AS kind,
       t.popularity AS popularity,
       [(t)-[:IN_GENRE]->(g:Genre) WHERE NOT coalesce(g.unknown, false) | g.name] AS genres
