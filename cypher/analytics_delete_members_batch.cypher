// Analytics: delete up to $batch_size MEMBER_OF edges of one version; returns `deleted`.
MATCH ()-[m:MEMBER_OF {analysisVersion: $version}]->()
WITH m LIMIT $batch_size
DELETE m
RETURN count(*) AS deleted
