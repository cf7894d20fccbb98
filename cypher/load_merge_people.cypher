// Loaders: upsert a batch of people. $rows: [{id, name}], $dataset: the dataset tag.
UNWIND $rows AS row
MERGE (p:Person {personId: row.id})
SET p.name = row.name, p.dataset = $dataset
