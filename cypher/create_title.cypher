// A new title (its features follow with replace_title_features in the same transaction);
// `created` is false (and nothing is changed) when the id already exists.
CYPHER replan=skip
MERGE (t:Title {titleId: $item_id})
ON CREATE SET t.pendingCreate = true
WITH t, coalesce(t.pendingCreate, false) AS created
REMOVE t.pendingCreate
WITH t, created
CALL (t, created) {
  WITH t WHERE created
  SET t.title = $title, t.year = $year, t.kind = $kind, t.thumbnailUrl = $thumbnail_url,
      t.dataset = $dataset, t.popularity = 0, t.createdAt = datetime()
}
RETURN created
