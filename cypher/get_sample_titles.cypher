// The most popular titles (benchmark and demo samples).
MATCH (t:Title)
RETURN t.titleId AS item_id
ORDER BY coalesce(t.popularity, 0) DESC, t.titleId
LIMIT $limit
