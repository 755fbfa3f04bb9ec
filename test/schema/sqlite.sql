CREATE TABLE oncebus_idempotence ( inbox_uri TEXT NOT NULL, message_id TEXT NOT NULL, status TEXT NOT NULL CHECK (status IN ('assigned', 'handled', 'completed')), message_type TEXT NOT NULL, created_at INTEGER NOT NULL, completed_at INTEGER, purge_after INTEGER, flush_owner TEXT, flush_until INTEGER, PRIMARY KEY (inbox_uri, message_id));
CREATE TABLE oncebus_idempotence_deferred ( inbox_uri TEXT NOT NULL, message_id TEXT NOT NULL, sequence INTEGER NOT NULL, outgoing_message_id TEXT NOT NULL, recipient_uri TEXT NOT NULL, body BLOB NOT NULL, PRIMARY KEY (inbox_uri, message_id, sequence), FOREIGN KEY (inbox_uri, message_id) REFERENCES oncebus_idempotence (inbox_uri, message_id) ON DELETE CASCADE);
CREATE TABLE oncebus_queue_names (table_name TEXT PRIMARY KEY, queue_name TEXT NOT NULL);
CREATE TABLE oncebus_schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL);
CREATE TABLE oncebus_subscriptions (message_type TEXT NOT NULL, inbox_uri TEXT NOT NULL, PRIMARY KEY (message_type, inbox_uri));
CREATE INDEX oncebus_idempotence_owed ON oncebus_idempotence (inbox_uri, created_at) WHERE status = 'handled';
CREATE INDEX oncebus_idempotence_purge ON oncebus_idempotence (purge_after) WHERE status = 'completed';
