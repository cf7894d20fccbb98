// One title with its content features (names sorted, cast in billing order).
CYPHER replan=skip
MATCH (t:Title {titleId: $item_id})
RETURN t.titleId AS item_id, t.title AS title, t.year AS year, t.kind AS kind,
       t.popularity AS popularity, t.imdbId AS imdb_id, t.tmdbId AS tmdb_id,
       t.thumbnailUrl AS thumbnail_url,
       t.embeddingVersion IS NOT NULL AS has_embedding,
       COLLECT {
         MATCH (t)-[:IN_GENRE]->(g:Genre) WHERE NOT coalesce(g.unknown, false)
         RETURN g.name ORDER BY g.name
       } AS genres,
       COLLECT {
         MATCH (p:Person)-[r:ACTED_IN]->(t)
         RETURN {person_id: p.personId, name: p.name, order: r.order}
         ORDER BY r.order IS NULL, r.order, p.name
       } AS cast,
       COLLECT { MATCH (p:Person)-[:DIRECTED]->(t) RETURN p.name ORDER BY p.name } AS directors,
       COLLECT { MATCH (t)-[:HAS_KEYWORD]->(k:Keyword) RETURN k.name ORDER BY k.name } AS keywords,
       COLLECT { MATCH (t)-[:AVAILABLE_ON]->(p:Platform) RETURN p.name ORDER BY p.name }
         AS platforms
