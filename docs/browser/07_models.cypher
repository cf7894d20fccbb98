// graphrec: the model registry (status, metrics) and how many edges each version has
MATCH (m:Model)
OPTIONAL CALL (m) {
  MATCH ()-[s:SIMILAR_TO {modelVersion: m.version}]->() WHERE s.model = m.name
  RETURN count(s) AS similarTo
}
RETURN m.modelId AS model, m.status AS status, m.trainedAt AS trainedAt, m.metrics AS metrics,
       similarTo
ORDER BY m.trainedAt DESC
