// graphrec: the graph model as Neo4j sees it
CALL db.schema.visualization()
