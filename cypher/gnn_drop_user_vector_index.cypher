// Drop the user vector index (before recreating it for another embedding size).
DROP INDEX user_embedding IF EXISTS
