// The genres and platforms of the given titles (the scopes their engagement trends in).
UNWIND $ids AS id
MATCH (t:Title {titleId: id})
RETURN t.titleId AS item_id,
       [(t)-[:IN_GENRE]->(g:Genre) WHERE NOT coalesce(g.unknown, false) | g.name] AS genres,
       [(t)-[:AVAILABLE_ON]->(p:Platform) | p.name] AS platforms
