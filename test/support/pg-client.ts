import pg from 'pg';
import { requireService } from './integration.js';
import { PG_URL, postgresAvailable } from './sql-subjects.js';

/**
 * One pg client on the test server for the enclosing describe (skipped, or failed under CI, without a
 * server): connected before its tests, ended after. Read `current()` inside a test or hook.
 */
export function pgClientForSuite(): { current(): pg.Client } {
  let client: pg.Client | undefined;
  before(async function () {
    requireService(this, 'PostgreSQL', await postgresAvailable());
    client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
  });
  after(async () => {
    await client?.end();
  });
  return { current: () => client! };
}
