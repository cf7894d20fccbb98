// Analytics: every registered analysis version (newest first by version number in Python).
MATCH (a:Analysis)
RETURN a {.*} AS analysis
