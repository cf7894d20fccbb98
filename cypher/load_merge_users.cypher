// Loaders: upsert a batch of users. $rows: [{id, name, age, gender, occupation}], $dataset.
UNWIND $rows AS row
MERGE (u:User {userId: row.id})
ON CREATE SET u.createdAt = datetime()
SET u.name = row.name, u.age = row.age, u.gender = row.gender, u.occupation = row.occupation,
    u.dataset = $dataset
