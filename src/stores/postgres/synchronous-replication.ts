import { ReplicationNotSynchronousError } from '../../errors/errors.js';
import type { SqlDatabase } from '../sql/sql-database.js';

interface ReplicationState {
  readonly recovery: boolean;
  readonly synchronous_commit: string;
  readonly standby_names: string;
  /** Standbys attached as sync or quorum; null when this role may not read pg_stat_replication's states. */
  readonly sync_standbys: number | null;
  readonly standbys: number;
}

/**
 * The settings of this session (synchronous_commit may be set per role or database, so the store's own
 * session is what counts) and the standbys the primary waits for. sync_state is shown only to superusers
 * and members of pg_read_all_stats: for others it is null, counted apart.
 */
const REPLICATION_STATE = `SELECT pg_is_in_recovery() AS recovery,
  current_setting('synchronous_commit') AS synchronous_commit,
  current_setting('synchronous_standby_names') AS standby_names,
  CASE WHEN count(*) FILTER (WHERE r.pid IS NOT NULL AND r.sync_state IS NULL) > 0 THEN NULL
       ELSE count(*) FILTER (WHERE r.sync_state IN ('sync', 'quorum')) END::int AS sync_standbys,
  count(r.pid)::int AS standbys
FROM (SELECT 1) AS one LEFT JOIN pg_stat_replication AS r ON true`;

/** synchronous_commit levels at which a commit returns only once a synchronous standby has flushed it. */
const DURABLE_ON_STANDBY = new Set(['on', 'remote_apply']);

/**
 * requireSynchronousReplication: the store is on a primary, its commits wait for a synchronous standby
 * (synchronous_standby_names set, synchronous_commit on or remote_apply), and one is attached as sync (or
 * quorum) now. Anything else is a ReplicationNotSynchronousError saying which, at start.
 */
export async function checkSynchronousReplication(db: SqlDatabase, location: string): Promise<void> {
  const [state] = await db.query<ReplicationState>(REPLICATION_STATE);
  const fail = (what: string, hint: string): never => {
    throw new ReplicationNotSynchronousError(`${location}: requireSynchronousReplication, but ${what}`, hint);
  };
  if (!state) return fail('the replication state could not be read', 'check the store can run SELECT on pg_stat_replication');
  if (state.recovery) return fail('the server is a standby (in recovery)', 'connect to the primary (list every host, with target_session_attrs=read-write)');
  if (!state.standby_names.trim()) {
    return fail('synchronous_standby_names is empty: commits do not wait for any standby', "set synchronous_standby_names on the primary (e.g. 'FIRST 1 (standby1)' or '*') and reload");
  }
  if (!DURABLE_ON_STANDBY.has(state.synchronous_commit)) {
    return fail(`synchronous_commit is '${state.synchronous_commit}' for this session: a commit returns before a standby has it`, "set synchronous_commit = on (or remote_apply) for the server, this role or this database");
  }
  if (state.sync_standbys === null) {
    return fail('this role may not read which standbys are synchronous (pg_stat_replication.sync_state)', 'GRANT pg_read_all_stats (or pg_monitor) to the role the store logs in as');
  }
  if (state.sync_standbys === 0) {
    return fail(`no standby is attached as synchronous (${state.standbys} attached)`, 'start the standby (its application_name must match synchronous_standby_names), then start the endpoint again');
  }
}
