// The Neo4j server's Java process: its pid@host and start time (ms since the epoch). A new
// value means the server restarted, and its plan cache is empty (api/warmup.py plans again).
CALL dbms.queryJmx('java.lang:type=Runtime') YIELD attributes
RETURN attributes.Name.value + '/' + toString(attributes.StartTime.value) AS process
