// Uniqueness constraints and indexes of the graphrec model (docs/graph-model.md).
// Every statement is idempotent: `graphrec db init` runs them on every start.
CREATE CONSTRAINT user_id IF NOT EXISTS FOR (n:User) REQUIRE n.userId IS UNIQUE;
CREATE CONSTRAINT title_id IF NOT EXISTS FOR (n:Title) REQUIRE n.titleId IS UNIQUE;
CREATE CONSTRAINT genre_name IF NOT EXISTS FOR (n:Genre) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT person_id IF NOT EXISTS FOR (n:Person) REQUIRE n.personId IS UNIQUE;
CREATE CONSTRAINT keyword_name IF NOT EXISTS FOR (n:Keyword) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT platform_name IF NOT EXISTS FOR (n:Platform) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT model_id IF NOT EXISTS FOR (n:Model) REQUIRE n.modelId IS UNIQUE;
CREATE CONSTRAINT event_id IF NOT EXISTS FOR (n:Event) REQUIRE n.eventId IS UNIQUE;
CREATE CONSTRAINT load_batch_id IF NOT EXISTS FOR (n:LoadBatch) REQUIRE n.batchId IS UNIQUE;
CREATE CONSTRAINT experiment_name IF NOT EXISTS FOR (n:Experiment) REQUIRE n.name IS UNIQUE;
CREATE CONSTRAINT served_daily_key IF NOT EXISTS FOR (n:ServedDaily) REQUIRE n.key IS UNIQUE;
CREATE INDEX served_daily_experiment IF NOT EXISTS FOR (n:ServedDaily) ON (n.experiment);
CREATE INDEX user_dataset IF NOT EXISTS FOR (n:User) ON (n.dataset);
CREATE INDEX title_dataset IF NOT EXISTS FOR (n:Title) ON (n.dataset);
CREATE INDEX title_name IF NOT EXISTS FOR (n:Title) ON (n.title);
CREATE INDEX title_popularity IF NOT EXISTS FOR (n:Title) ON (n.popularity);
CREATE INDEX model_status IF NOT EXISTS FOR (n:Model) ON (n.status);
CREATE INDEX similar_to_version IF NOT EXISTS FOR ()-[r:SIMILAR_TO]-() ON (r.modelVersion);
CREATE INDEX similar_user_version IF NOT EXISTS FOR ()-[r:SIMILAR_USER]-() ON (r.modelVersion);
CREATE FULLTEXT INDEX title_search IF NOT EXISTS FOR (n:Title) ON EACH [n.title];
CREATE CONSTRAINT analysis_version IF NOT EXISTS FOR (n:Analysis) REQUIRE n.version IS UNIQUE;
CREATE CONSTRAINT community_id IF NOT EXISTS FOR (n:Community) REQUIRE n.id IS UNIQUE;
CREATE INDEX community_version IF NOT EXISTS FOR (n:Community) ON (n.analysisVersion);
CREATE INDEX analysis_status IF NOT EXISTS FOR (n:Analysis) ON (n.status);
CREATE INDEX member_of_version IF NOT EXISTS FOR ()-[r:MEMBER_OF]-() ON (r.analysisVersion);
