// Loaders: what one dataset tag holds: its nodes per label and the relationships from its users
// and titles per type (FRIENDS_WITH counted once per pair).
CALL (){
  MATCH (n) WHERE (n:User OR n:Title OR n:Person) AND n.dataset = $dataset
  RETURN labels(n)[0] AS name, count(*) AS count
  UNION ALL
  MATCH (u:User {dataset: $dataset})-[r]->()
  RETURN type(r) AS name, count(r) AS count
  UNION ALL
  MATCH (t:Title {dataset: $dataset})-[r:IN_GENRE|HAS_KEYWORD|AVAILABLE_ON]->()
  RETURN type(r) AS name, count(r) AS count
  UNION ALL
  MATCH (p:Person {dataset: $dataset})-[r:ACTED_IN|DIRECTED]->()
  RETURN type(r) AS name, count(r) AS count
  UNION ALL
  MATCH (t:Title {dataset: $dataset})-[:IN_GENRE]->(g:Genre)
  RETURN 'Genre' AS name, count(DISTINCT g) AS count
  UNION ALL
  MATCH (t:Title {dataset: $dataset})-[:HAS_KEYWORD]->(k:Keyword)
  RETURN 'Keyword' AS name, count(DISTINCT k) AS count
}
RETURN name, sum(count) AS count ORDER BY name
