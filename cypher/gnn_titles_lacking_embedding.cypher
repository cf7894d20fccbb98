// Titles whose embedding is missing or not of the given (promoted) version.
MATCH (t:Title)
WHERE t.embeddingVersion IS NULL OR t.embeddingVersion <> $version
RETURN t.titleId AS id
