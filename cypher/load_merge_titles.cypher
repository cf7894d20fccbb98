// Loaders: upsert a batch of titles with their genres, keywords, platforms, cast and directors.
// $rows: [{id, title, year, kind, imdbId, tmdbId, genres, keywords, keywordCounts, platforms,
// cast, directors}], $dataset: the dataset tag, $unknown_genre: the placeholder genre's name.
UNWIND $rows AS row
MERGE (t:Title {titleId: row.id})
SET t.title = row.title, t.year = row.year, t.kind = row.kind, t.dataset = $dataset,
    t.imdbId = row.imdbId, t.tmdbId = row.tmdbId
FOREACH (g IN row.genres |
  MERGE (n:Genre {name: g})
  ON CREATE SET n.unknown = CASE WHEN g = $unknown_genre THEN true ELSE null END
  MERGE (t)-[:IN_GENRE]->(n))
FOREACH (i IN range(0, size(row.keywords) - 1) |
  MERGE (k:Keyword {name: row.keywords[i]})
  MERGE (t)-[r:HAS_KEYWORD]->(k)
  SET r.count = row.keywordCounts[i])
FOREACH (name IN row.platforms |
  MERGE (pl:Platform {name: name})
  MERGE (t)-[:AVAILABLE_ON]->(pl))
FOREACH (i IN range(0, size(row.cast) - 1) |
  MERGE (p:Person {personId: row.cast[i]})
  ON CREATE SET p.name = row.cast[i], p.dataset = $dataset
  MERGE (p)-[r:ACTED_IN]->(t)
  SET r.order = i)
FOREACH (id IN row.directors |
  MERGE (p:Person {personId: id})
  ON CREATE SET p.name = id, p.dataset = $dataset
  MERGE (p)-[:DIRECTED]->(t))
