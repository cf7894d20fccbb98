// Users with interactions whose embedding is missing or not of the given (promoted) version.
MATCH (u:User)
WHERE (u.embeddingVersion IS NULL OR u.embeddingVersion <> $version)
  AND EXISTS { (u)-[:WATCHED|RATED|LIKED|SHARED|ADDED_TO_LIST]->(:Title) }
RETURN u.userId AS id
