// Content ties between a user and a title: its genres (with how often the user engaged with
// each, and whether preferred), its people the user watched before, its popularity, and the
// user's own relations to it.
CYPHER replan=skip
MATCH (u:User {userId: $user_id}), (t:Title {titleId: $item_id})
RETURN t.popularity AS popularity,
       [(u)-[r]->(t) WHERE type(r) IN
         ['WATCHED', 'RATED', 'LIKED', 'DISLIKED', 'NOT_INTERESTED', 'SHARED', 'ADDED_TO_LIST']
         | type(r)] AS relations,
       [(t)-[:IN_GENRE]->(g:Genre) WHERE NOT coalesce(g.unknown, false) | {
          name: g.name,
          history: COUNT { (u)-[:WATCHED|RATED|LIKED]->(:Title)-[:IN_GENRE]->(g) },
          preferred: EXISTS { (u)-[:PREFERS]->(g) }}] AS genres,
       [(t)<-[:ACTED_IN|DIRECTED]-(p:Person)
         WHERE EXISTS { (u)-[:WATCHED|RATED|LIKED]->(:Title)<-[:ACTED_IN|DIRECTED]-(p) } | {
          name: p.name,
          history: COUNT { (u)-[:WATCHED|RATED|LIKED]->(:Title)<-[:ACTED_IN|DIRECTED]-(p) }}]
         AS people
