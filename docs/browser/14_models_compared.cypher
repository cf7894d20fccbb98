// graphrec: the promoted model against the version before it: overlap@10 of their SIMILAR_TO
// lists (1.0 = the same ten neighbours for every title) and the titles whose lists moved most
MATCH (new:Model {name: 'graphsage', status: 'promoted'})
MATCH (old:Model {name: 'graphsage'})
WHERE old <> new AND old.trainedAt < new.trainedAt
WITH new, old ORDER BY old.trainedAt DESC LIMIT 1
MATCH (t:Title)-[a:SIMILAR_TO {modelVersion: new.version}]->(x:Title)
WHERE a.model = new.name AND a.rank <= 10
WITH new, old, t, collect(x) AS newTop
MATCH (t)-[b:SIMILAR_TO {modelVersion: old.version}]->(y:Title)
WHERE b.model = old.name AND b.rank <= 10
WITH new, old, t, newTop, collect(y) AS oldTop
WITH new, old, t, size([x IN newTop WHERE x IN oldTop]) / 10.0 AS overlap
ORDER BY overlap, t.title
WITH new, old, avg(overlap) AS overlapAt10, count(t) AS titles,
     collect(t.title + ' (' + toString(overlap) + ')')[..10] AS movedMost
RETURN new.version AS promoted, old.version AS previous, titles,
       round(overlapAt10, 3) AS overlapAt10, movedMost
