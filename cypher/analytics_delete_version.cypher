// Analytics: forget one version in the registry (its communities are deleted first). The active
// version is never deleted here.
MATCH (a:Analysis {version: $version})
WHERE a.status <> 'active'
DELETE a
RETURN count(*) AS deleted
