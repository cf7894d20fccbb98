// Analytics: titles' MEMBER_OF of one version. $rows: [{t, c}].
UNWIND $rows AS row
MATCH (t:Title {titleId: row.t})
MATCH (c:Community {id: row.c})
MERGE (t)-[m:MEMBER_OF]->(c)
SET m.analysisVersion = $version
