// Drop the title vector index (before recreating it for another embedding size).
DROP INDEX title_embedding IF EXISTS
