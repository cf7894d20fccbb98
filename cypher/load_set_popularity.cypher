// Loaders: Title.popularity = number of distinct users with any interaction. $ids: titleIds.
UNWIND $ids AS id
MATCH (t:Title {titleId: id})
SET t.popularity = COUNT {
  MATCH (u:User)-[:WATCHED|RATED|LIKED|DISLIKED|SHARED|ADDED_TO_LIST]->(t)
  RETURN DISTINCT u
}
