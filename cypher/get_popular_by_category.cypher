// The $limit most popular titles overall (category 'all') and in each genre, most popular first:
// the last step of the API's fallback chain, kept in Redis (api/fallback.py). A background
// statement: one row per category.
CALL () {
  MATCH (t:Title)
  WHERE t.popularity > 0
  WITH t
  ORDER BY t.popularity DESC, t.titleId
  LIMIT $limit
  RETURN 'all' AS category, collect(t.titleId) AS ids
  UNION ALL
  MATCH (g:Genre)
  WHERE NOT coalesce(g.unknown, false)
  CALL (g) {
    MATCH (g)<-[:IN_GENRE]-(t:Title)
    WHERE t.popularity > 0
    WITH t
    ORDER BY t.popularity DESC, t.titleId
    LIMIT $limit
    RETURN collect(t.titleId) AS ids
  }
  RETURN g.name AS category, ids
}
RETURN category, ids
