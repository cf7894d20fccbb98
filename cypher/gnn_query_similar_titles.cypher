// Nearest titles to a vector through the title_embedding vector index.
CALL db.index.vector.queryNodes('title_embedding', $k, $vector) YIELD node, score
RETURN node.titleId AS titleId, score
