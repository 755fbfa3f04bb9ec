import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SAMPLE = fileURLToPath(new URL('../../samples/transactional-session/main.js', import.meta.url));

describe('the transactional-session sample (npm run sample:session): an HTTP API that writes and sends in one transaction', function () {
  this.timeout(60_000);

  it('a good order is written, sent and invoiced once, and its retry with the same Idempotency-Key replays its response; a bad one rolls back its write and its message', () => {
    const out = execFileSync(process.execPath, [SAMPLE], { encoding: 'utf8' });
    const first = /POST \/orders \{"orderId":"A-1","amount":30\} → 201 (\{"orderId":"A-1","sessionId":"[0-9a-f-]{36}"\})/.exec(out);
    expect(first, out).to.not.equal(null);
    // The retry with the same Idempotency-Key: the first response, byte for byte, and no second order or invoice.
    expect(out).to.include(`again, same Idempotency-Key → 201 (Idempotent-Replayed: true) ${first![1]}`);
    expect(out).to.include('POST /orders {"orderId":"B-2","amount":-5} → 400 {"error":"amount must be positive (got -5)"}');
    expect(out).to.include('orders:   [{"order_id":"A-1","amount":30}]');
    expect(out).to.include('invoices: [{"order_id":"A-1","amount":30}]');
  });
});
