// graphrec: why users turned titles down (POST /v1/feedback): reasons, how often, which titles
MATCH (:User)-[n:NOT_INTERESTED]->(t:Title)
WITH coalesce(n.reason, '(no reason given)') AS reason, t, count(*) AS times
ORDER BY times DESC
RETURN reason, sum(times) AS times, collect(t.title)[..5] AS titles
ORDER BY times DESC LIMIT 25
