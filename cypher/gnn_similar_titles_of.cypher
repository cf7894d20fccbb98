// The SIMILAR_TO neighbours of one title for one model version, by rank.
MATCH (:Title {titleId: $title_id})-[r:SIMILAR_TO {modelVersion: $version}]->(b:Title)
RETURN b.titleId AS titleId, r.score AS score, r.rank AS rank
ORDER BY r.rank
