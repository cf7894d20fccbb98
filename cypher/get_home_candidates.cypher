// Every candidate source of the recommendation endpoints in one read. One row: the user's
// anchors, the genres behind the popular source, and the top $k candidates of each source named
// in $sources ('similar', 'social' (friends, similar users and the user's circle), 'vector',
// 'popular', 'trending') as [source, rows] pairs; no row when the user does not exist.
//
// The user's seen titles (watched, rated, liked, shared, disliked, not interested) are collected
// once and every candidate is tested against that list (a hashed membership test, ~6x cheaper
// than a per-candidate pattern check), as are $exclude, $kind and $genre.
//
// $before (epoch milliseconds; null when serving) sees the user as of a past instant: the user's
// interactions first made at or after it count neither as seen nor as history (the learned
// ranker's temporal split, graph/ranker_data.py).
CYPHER replan=skip
MATCH (u:User {userId: $user_id})
WITH u,
     COLLECT {
       MATCH (u)-[r:WATCHED|RATED|LIKED|DISLIKED|NOT_INTERESTED|SHARED]->(t:Title)
       WHERE $before IS NULL OR coalesce(r.firstAt, r.at, r.lastAt).epochMillis < $before
       RETURN t
     } AS seen,
     COLLECT {
       MATCH (u)-[r:DISLIKED|NOT_INTERESTED]->(t:Title)
       WHERE $before IS NULL OR coalesce(r.firstAt, r.at, r.lastAt).epochMillis < $before
       RETURN t
     } AS rejected
// The user's other titles, most recent first, with how much they liked each, on the one scale of
// graph/signals.py ($weights): a like, share or listing its action's weight, a rating
// rating_slope x (stars - rating_neutral), a watch a view's weight up to a complete watch's by
// completion. Anchors are the most recent with at least $min_strength. Only the $scan latest
// interactions count: a long history costs a bounded sort (ties broken by relationship).
CALL (u, rejected) {
  MATCH (u)-[r:WATCHED|RATED|LIKED|SHARED|ADDED_TO_LIST]->(a:Title)
  WHERE NOT a IN rejected
    AND ($before IS NULL OR coalesce(r.firstAt, r.at, r.lastAt).epochMillis < $before)
  WITH a, r, coalesce(r.lastAt, r.at, r.firstAt, datetime({epochMillis: 0})) AS at
  ORDER BY at DESC, r
  LIMIT $scan
  WITH a,
       max(CASE type(r)
         WHEN 'RATED' THEN $weights.rating_slope * (toFloat(r.rating) - $weights.rating_neutral)
         WHEN 'WATCHED' THEN $weights.VIEW
           + ($weights.COMPLETE - $weights.VIEW) * coalesce(r.completion, 0.5)
         ELSE $weights[type(r)] END) AS strength,
       max(at) AS at
  ORDER BY at DESC, strength DESC, a.titleId
  RETURN collect({title: a, strength: strength, at: at}) AS history
}
WITH u, seen, history[..$recent] AS recent,
     [h IN history WHERE h.strength >= $min_strength][..$anchors] AS anchors
// The genres of the popular source: the requested one, else the preferred (onboarding) ones,
// else the three most frequent among the $recent latest titles.
CALL (u, recent) {
  OPTIONAL MATCH (u)-[:PREFERS]->(p:Genre)
  WITH recent, collect(p.name) AS preferred
  CALL (recent) {
    UNWIND recent AS h
    WITH h.title AS a
    MATCH (a)-[:IN_GENRE]->(g:Genre)
    WHERE NOT coalesce(g.unknown, false)
    WITH g.name AS name, count(*) AS c
    ORDER BY c DESC, name
    LIMIT 3
    RETURN collect(name) AS frequent
  }
  RETURN CASE WHEN $genre IS NOT NULL THEN [$genre]
              WHEN size(preferred) > 0 THEN preferred
              ELSE frequent END AS genres,
         CASE WHEN $genre IS NOT NULL THEN 'requested'
              WHEN size(preferred) > 0 THEN 'preferences'
              WHEN size(frequent) > 0 THEN 'history'
              ELSE 'global' END AS basis
}
WITH u, seen, anchors, genres, basis,
     COLLECT { MATCH (g:Genre) WHERE g.name IN genres RETURN g } AS genre_nodes
CALL (u, seen, anchors, genre_nodes) {
  CALL (u, anchors, genre_nodes) {
    // GNN neighbours (SIMILAR_TO of the model version) of the anchors.
    UNWIND anchors AS anchor
    WITH anchor.title AS a
    WHERE 'similar' IN $sources
    MATCH (a)-[s:SIMILAR_TO {modelVersion: $model_version}]->(t:Title)
    RETURN 'similar' AS source, t, s.score AS score, a.titleId AS anchor_id, [] AS people
    UNION ALL
    // Titles the user's $neighbours nearest SIMILAR_USER neighbours liked ("viewers like you"),
    // at most $per_neighbour of each, which bounds the cost of neighbours with long histories.
    // People travel as [user, score] pairs and become maps only for the rows kept.
    WITH u
    WHERE 'social' IN $sources
    MATCH (u)-[s:SIMILAR_USER {modelVersion: $model_version}]->(v:User)
    WITH v, s.score AS sim
    ORDER BY sim DESC
    LIMIT $neighbours
    WITH v, sim, COLLECT { MATCH (v)-[:DISLIKED]->(x) RETURN x } AS disliked
    CALL (v, disliked) {
      MATCH (v)-[r:WATCHED|RATED|LIKED|SHARED]->(t:Title)
      WHERE (type(r) <> 'RATED' OR r.rating >= 3.5) AND NOT t IN disliked
      RETURN DISTINCT t
      LIMIT $per_neighbour
    }
    WITH t, v, sim
    ORDER BY sim DESC
    WITH t, sum(sim) AS score, collect([v, sim]) AS users
    RETURN 'similar_users' AS source, t, score, null AS anchor_id, users[..3] AS people
    UNION ALL
    // Titles the user's friends (FRIENDS_WITH either way, or users they TRUST) watched, rated
    // well, liked or shared, with who did what ([user, how] pairs); the score is how many.
    WITH u
    WHERE 'social' IN $sources
    CALL (u) {
      MATCH (u)-[:FRIENDS_WITH]-(f:User)
      RETURN f
      UNION
      MATCH (u)-[:TRUSTS]->(f:User)
      RETURN f
    }
    WITH f, COLLECT { MATCH (f)-[:DISLIKED]->(x) RETURN x } AS disliked
    MATCH (f)-[r:WATCHED|RATED|LIKED|SHARED]->(t:Title)
    WHERE (type(r) <> 'RATED' OR r.rating >= 3.5) AND NOT t IN disliked
    WITH t, f, collect(DISTINCT toLower(type(r))) AS how
    ORDER BY f.userId
    WITH t, count(f) AS n, collect([f, how]) AS friends
    RETURN 'friends' AS source, t, toFloat(n) AS score, null AS anchor_id, friends[..5] AS people
    UNION ALL
    // "Popular in your circle": what the user's community (the active analysis of graphrec
    // analyze) engages with now: the latest $per_neighbour positives of its $neighbours most
    // influential other members; the score is how many of them, people the most influential.
    WITH u
    WHERE 'social' IN $sources
    MATCH (a:Analysis {status: 'active'})
    MATCH (u)-[:MEMBER_OF {analysisVersion: a.version}]->(c:Community)<-[m:MEMBER_OF]-(v:User)
    WHERE v <> u
    WITH v, m.influence AS influence
    ORDER BY influence DESC, v.userId
    LIMIT $neighbours
    CALL (v) {
      MATCH (v)-[r:WATCHED|RATED|LIKED|SHARED]->(t:Title)
      WHERE type(r) <> 'RATED' OR r.rating >= 3.5
      WITH t, coalesce(r.lastAt, r.at) AS at
      ORDER BY at DESC
      RETURN DISTINCT t
      LIMIT $per_neighbour
    }
    WITH t, v, influence
    ORDER BY influence DESC
    WITH t, count(v) AS n, collect([v, influence]) AS members
    RETURN 'circle' AS source, t, toFloat(n) AS score, null AS anchor_id, members[..3] AS people
    UNION ALL
    // The $candidates nearest titles to the user's embedding (vector index title_embedding,
    // cosine), when the embedding belongs to the model version.
    WITH u
    WHERE 'vector' IN $sources AND $vector_index AND u.embeddingVersion = $model_version
    CALL db.index.vector.queryNodes('title_embedding', $candidates, u.embedding)
    YIELD node AS t, score
    RETURN 'vector' AS source, t, score, null AS anchor_id, [] AS people
    UNION ALL
    // Among the $pool most popular titles, those in the genres (all of them without genres).
    WITH genre_nodes
    WHERE 'popular' IN $sources
    CALL () {
      MATCH (t:Title)
      WHERE t.popularity > 0
      RETURN t
      ORDER BY t.popularity DESC
      LIMIT $pool
    }
    WITH t, genre_nodes
    WHERE size(genre_nodes) = 0 OR EXISTS { (t)-[:IN_GENRE]->(g) WHERE g IN genre_nodes }
    RETURN 'popular' AS source, t, toFloat(t.popularity) AS score, null AS anchor_id,
           [] AS people
    UNION ALL
    // What trends now (learning/trending.py's Redis windows, read by the API): $trending holds
    // [titleId, decayed engagement] pairs, filtered here like every other source.
    WITH u
    WHERE 'trending' IN $sources
    UNWIND $trending AS pair
    MATCH (t:Title {titleId: pair[0]})
    RETURN 'trending' AS source, t, toFloat(pair[1]) AS score, null AS anchor_id, [] AS people
  }
  WITH source, t, score, anchor_id, people
  WHERE NOT t IN seen
    AND NOT t.titleId IN $exclude
    AND ($kind IS NULL OR t.kind = $kind)
    AND ($genre IS NULL OR EXISTS { (t)-[:IN_GENRE]->(:Genre {name: $genre}) })
  ORDER BY score DESC, coalesce(t.popularity, 0) DESC, t.titleId
  WITH source, collect([t, score, anchor_id, people]) AS rows
  // Every anchor keeps all its neighbours (the model's k per title); other sources their top $k,
  // ties broken by popularity then id.
  WITH source, CASE source WHEN 'similar' THEN rows ELSE rows[..$k] END AS rows
  // Rows are positional, [item_id, score, anchor_id, people], people [user_id, name, how, score]:
  // ~0.5 ms cheaper a call to build, send and decode than maps repeating their keys per row.
  RETURN collect([source, [r IN rows | [r[0].titleId, r[1], r[2], [p IN r[3] | [
           p[0].userId, p[0].name,
           CASE source WHEN 'friends' THEN p[1] END,
           CASE source WHEN 'similar_users' THEN p[1] END]]]]]) AS sources
}
CALL (anchors) {
  UNWIND anchors AS anchor
  WITH anchor, anchor.title AS a
  RETURN collect({
    item_id: a.titleId,
    title: a.title,
    strength: anchor.strength,
    at: toString(anchor.at),
    has_similar: EXISTS { (a)-[:SIMILAR_TO {modelVersion: $model_version}]->() }
  }) AS anchor_rows
}
RETURN anchor_rows AS anchors, genres, basis, sources
