// Loaders: every node of the database (from the count store), so a bulk import can refuse a
// database that holds anything.
MATCH (n)
RETURN count(n) AS nodes
