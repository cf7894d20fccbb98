// Analytics: every social link between users, one row per user with outgoing links: [friend,
// type, weight] (FRIENDS_WITH is mutual and stored once, TRUSTS is directed: the user trusts
// the friend; weight null when the source gives none). A row per user, not per link: the
// driver decodes ~10x fewer records.
MATCH (a:User)
CALL (a) {
  MATCH (a)-[r:FRIENDS_WITH|TRUSTS]->(b:User)
  RETURN collect([b.userId, type(r), r.weight]) AS links
}
WITH a, links WHERE size(links) > 0
RETURN a.userId AS userId, links
