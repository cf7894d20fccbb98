// graphrec: one title (edit the name) with its genres, people, keywords and similar titles (promoted model)
WITH 'Toy Story (1995)' AS name
MATCH (t:Title) WHERE t.title = name
OPTIONAL MATCH (m:Model {name: 'graphsage', status: 'promoted'})
OPTIONAL MATCH f = (t)-[:IN_GENRE|HAS_KEYWORD]->()
OPTIONAL MATCH c = (t)<-[:ACTED_IN|DIRECTED]-()
OPTIONAL MATCH s = (t)-[r:SIMILAR_TO]->() WHERE r.model = m.name AND r.modelVersion = m.version
RETURN t, collect(DISTINCT f)[..20] AS features, collect(DISTINCT c)[..20] AS people,
       collect(DISTINCT s)[..20] AS similar
