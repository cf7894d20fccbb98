// One title with its content features.
CYPHER replan=skip
MATCH (t:Title {titleId: $item_id})
RETURN t.titleId AS item_id, t.title AS title, t.year AS year, t.kind AS kind,
       t.popularity AS popularity, t.imdbId AS imdb_id, t.tmdbId AS tmdb_id,
       t.embeddingVersion AS embedding_version,
       [(t)-[:IN_GENRE]->(g:Genre) WHERE NOT coalesce(g.unknown, false) | g.name] AS genres,
       [(p:Person)-[r:ACTED_IN]->(t) | {order: r.order, name: p.name}] AS cast,
       [(p:Person)-[:DIRECTED]->(t) | p.name] AS directors,
       [(t)-[:HAS_KEYWORD]->(k:Keyword) | k.name] AS keywords,
       [(t)-[:AVAILABLE_ON]->(p:Platform) | p.name] AS platforms
