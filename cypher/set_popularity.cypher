// Title.popularity = number of distinct users with any interaction. $ids: titleIds.
// Run by the loaders after a load and by the API's served-list consumer as interactions arrive.
UNWIND $ids AS id
MATCH (t:Title {titleId: id})
SET t.popularity = COUNT {
  MATCH (u:User)-[:WATCHED|RATED|LIKED|DISLIKED|SHARED|ADDED_TO_LIST]->(t)
  RETURN DISTINCT u
}
