// Analytics: the communities of one version. $rows: [{id, kind, rank, size, topGenres}];
// `id` is "<version>:<kind>:<rank>" (rank 0 is the largest community of its kind).
UNWIND $rows AS row
MERGE (c:Community {id: row.id})
SET c.kind = row.kind, c.rank = row.rank, c.size = row.size, c.topGenres = row.topGenres,
    c.analysisVersion = $version
