// Analytics: delete up to $batch_size communities of one version (their MEMBER_OF edges are
// gone first); returns `deleted`.
MATCH (c:Community {analysisVersion: $version})
WITH c LIMIT $batch_size
DETACH DELETE c
RETURN count(*) AS deleted
