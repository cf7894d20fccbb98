// graphrec: the user communities of the active analysis (graphrec analyze): size, the genres that
// set them apart, and their most influential members
MATCH (a:Analysis {status: 'active'})
MATCH (c:Community {analysisVersion: a.version, kind: 'user'})
CALL (c) {
  MATCH (u:User)-[m:MEMBER_OF]->(c)
  WITH u, m ORDER BY m.influence DESC LIMIT 3
  RETURN collect(coalesce(u.name, u.userId) + ' (' + toString(round(m.influence, 1)) + ')')
         AS influencers
}
RETURN c.id AS community, c.size AS users, c.topGenres AS topGenres, influencers
ORDER BY users DESC LIMIT 25
