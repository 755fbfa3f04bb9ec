http_keys.scope text not null
http_keys.key text not null
http_keys.fingerprint text not null
http_keys.status text not null
http_keys.attempt text not null
http_keys.locked_until bigint
http_keys.response_status integer
http_keys.response_headers text
http_keys.response_body bytea
http_keys.created_at bigint not null
http_keys.completed_at bigint
http_keys.expires_at bigint not null
idempotence.inbox_uri text not null
idempotence.message_id text not null
idempotence.status text not null
idempotence.message_type text not null
idempotence.created_at bigint not null
idempotence.completed_at bigint
idempotence.purge_after bigint
idempotence.flush_owner text
idempotence.flush_until bigint
idempotence_deferred.inbox_uri text not null
idempotence_deferred.message_id text not null
idempotence_deferred.sequence integer not null
idempotence_deferred.outgoing_message_id text not null
idempotence_deferred.recipient_uri text not null
idempotence_deferred.body bytea not null
queue_names.table_name text not null
queue_names.queue_name text not null
sagas.saga_type text not null
sagas.correlation_id text not null
sagas.instance_id text not null
sagas.state bytea not null
sagas.version bigint not null
sagas.created_at bigint not null
sagas.updated_at bigint not null
sagas.completed_at bigint
schema_version.version integer not null
schema_version.description text not null
subscriptions.message_type text not null
subscriptions.inbox_uri text not null
CREATE INDEX http_keys_created ON oncebus.http_keys USING btree (created_at)
CREATE INDEX http_keys_expires ON oncebus.http_keys USING btree (expires_at)
CREATE UNIQUE INDEX http_keys_pkey ON oncebus.http_keys USING btree (scope, key)
CREATE UNIQUE INDEX idempotence_deferred_pkey ON oncebus.idempotence_deferred USING btree (inbox_uri, message_id, sequence)
CREATE INDEX idempotence_owed ON oncebus.idempotence USING btree (inbox_uri, created_at) WHERE (status = 'handled'::text)
CREATE UNIQUE INDEX idempotence_pkey ON oncebus.idempotence USING btree (inbox_uri, message_id)
CREATE INDEX idempotence_purge ON oncebus.idempotence USING btree (purge_after) WHERE (status = 'completed'::text)
CREATE UNIQUE INDEX queue_names_pkey ON oncebus.queue_names USING btree (table_name)
CREATE INDEX sagas_created ON oncebus.sagas USING btree (saga_type, created_at)
CREATE UNIQUE INDEX sagas_instance ON oncebus.sagas USING btree (instance_id)
CREATE UNIQUE INDEX sagas_pkey ON oncebus.sagas USING btree (saga_type, correlation_id)
CREATE UNIQUE INDEX schema_version_pkey ON oncebus.schema_version USING btree (version)
CREATE UNIQUE INDEX subscriptions_pkey ON oncebus.subscriptions USING btree (message_type, inbox_uri)
oncebus.http_keys PRIMARY KEY (scope, key)
oncebus.http_keys CHECK ((status = ANY (ARRAY['running'::text, 'completed'::text])))
oncebus.idempotence PRIMARY KEY (inbox_uri, message_id)
oncebus.idempotence CHECK ((status = ANY (ARRAY['assigned'::text, 'handled'::text, 'completed'::text])))
oncebus.idempotence_deferred FOREIGN KEY (inbox_uri, message_id) REFERENCES oncebus.idempotence(inbox_uri, message_id) ON DELETE CASCADE
oncebus.idempotence_deferred PRIMARY KEY (inbox_uri, message_id, sequence)
oncebus.queue_names PRIMARY KEY (table_name)
oncebus.sagas PRIMARY KEY (saga_type, correlation_id)
oncebus.schema_version PRIMARY KEY (version)
oncebus.subscriptions PRIMARY KEY (message_type, inbox_uri)
