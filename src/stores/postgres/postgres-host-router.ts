import type pg from 'pg';
import { requireDriver } from '../../drivers/require-driver.js';
import { StoreError } from '../../errors/errors.js';
import { hostLabel, type PostgresHost, type PostgresHostList } from './postgres-host-list.js';

const pgDriver = requireDriver<typeof pg>('pg', 'oncebus/postgres');

/** What a session says of itself (SESSION_STATE). */
interface SessionState {
  readonly recovery: boolean;
  readonly read_only: string;
}

/** Whether this session may write, as libpq decides for read-write (SHOW transaction_read_only) and primary. */
const SESSION_STATE = "SELECT pg_is_in_recovery() AS recovery, current_setting('transaction_read_only') AS read_only";

/**
 * Which server of a host list new connections go to: the first, in the list's order, that accepts writes
 * (libpq's target_session_attrs, which node-postgres lacks). Found by probing each host with a short
 * connection of its own, once, then kept until a connection to it fails or finds it read-only: then the
 * list is walked again from its start. One walk at a time; connections asked for meanwhile wait for it.
 */
export class PostgresHostRouter {
  private current: PostgresHost | null = null;
  private walking: Promise<PostgresHost> | null = null;
  /** Walks of the list (the first, and one after each failure seen): a failover count for tests and logs. */
  walks = 0;

  constructor(
    readonly list: PostgresHostList,
    private readonly probeConfig: pg.ClientConfig,
    private readonly name: string,
  ) {}

  /** The host to connect to: the one found writable last, or the first writable one of a new walk. */
  async target(): Promise<PostgresHost> {
    if (this.current) return this.current;
    this.walking ??= this.walk().finally(() => {
      this.walking = null;
    });
    return this.walking;
  }

  /** A connection to `host` failed or found it read-only: the next connection walks the list again. */
  lost(host: PostgresHost): void {
    if (this.current === host) this.current = null;
  }

  /** Whether a session in this state meets the list's target_session_attrs. */
  accepts(state: SessionState): boolean {
    if (state.recovery) return false;
    return this.list.targetSessionAttrs === 'primary' || state.read_only === 'off';
  }

  /** Checks a session just opened on `host`; a read-only one is reported lost and refused. */
  async check(client: pg.Client, host: PostgresHost): Promise<void> {
    const { rows } = await client.query<SessionState>(SESSION_STATE);
    if (!this.accepts(rows[0]!)) {
      this.lost(host);
      throw this.notWritable([`${hostLabel(host)}: ${rows[0]!.recovery ? 'a standby' : 'read-only'}`]);
    }
  }

  private async walk(): Promise<PostgresHost> {
    this.walks++;
    const seen: string[] = [];
    for (const host of this.list.hosts) {
      const client = new pgDriver.Client({ ...this.probeConfig, connectionString: this.list.forHost(host) });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const { rows } = await client.query<SessionState>(SESSION_STATE);
        if (this.accepts(rows[0]!)) {
          this.current = host;
          return host;
        }
        seen.push(`${hostLabel(host)}: ${rows[0]!.recovery ? 'a standby' : 'read-only'}`);
      } catch (error) {
        seen.push(`${hostLabel(host)}: ${(error as Error).message}`);
      } finally {
        await client.end().catch(() => undefined);
      }
    }
    throw this.notWritable(seen);
  }

  /** No host takes writes (a failover under way, or all down): an outage, retried like one. */
  private notWritable(seen: string[]): StoreError {
    return new StoreError(`PostgreSQL (${this.name}): no host accepts writes (target_session_attrs=${this.list.targetSessionAttrs}): ${seen.join('; ')}`, {
      hint: 'promote a standby (pg_promote()) or bring the primary back; the store finds the new primary by itself',
    });
  }
}

/**
 * A pg Client class whose connections go to the router's current writable host and are checked on
 * arrival (the pool's `Client`): what a multi-host connection string with target_session_attrs gives
 * libpq clients. A connection that fails, or lands on a server no longer writable, sends the router
 * walking the list again for the next one.
 */
export function failoverClientClass(router: PostgresHostRouter): typeof pg.Client {
  class FailoverClient extends pgDriver.Client {
    // pg-pool calls connect(callback); applications may await connect().
    override connect(): Promise<pg.Client>;
    override connect(callback: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): void;
    override connect(callback?: ((err: Error) => void) | ((err: null, c: pg.Client) => void)): Promise<pg.Client> | void {
      const done = this.connectWritable().then(() => this as pg.Client);
      if (!callback) return done;
      const reply = callback as (err: Error | null, c?: pg.Client) => void;
      done.then((client) => reply(null, client), (error: Error) => reply(error));
    }

    private async connectWritable(): Promise<void> {
      const host = await router.target();
      // The pool gave up on this client while the list was walked (its connectionTimeoutMillis): connect nowhere.
      if ((this as unknown as { _ending: boolean })._ending) throw new Error('Connection terminated: the pool ended the client while a writable host was sought');
      const self = this as unknown as { host: string; port: number; connectionParameters: { host: string; port: number } };
      self.host = self.connectionParameters.host = host.host;
      self.port = self.connectionParameters.port = host.port;
      try {
        await super.connect();
      } catch (error) {
        router.lost(host);
        throw error;
      }
      try {
        await router.check(this as pg.Client, host);
      } catch (error) {
        await this.end().catch(() => undefined);
        throw error;
      }
    }
  }
  return FailoverClient;
}
