// The load generator of the HTTP cases (http-case.ts starts it): its own process, so its CPU is not counted
// against the API's. Keeps CONCURRENCY requests in flight over keep-alive connections (node:http with one
// socket per request in flight: lighter than fetch, so more of the 2 cores are left to the API), each a POST
// /orders of a fresh order, with a fresh Idempotency-Key when keyed. Prints one JSON line: { ok, failed, firstFailure }.
//   node dist/test/bench/http/load-client.js <url> <requests> <concurrency> <keyed: 0|1> <run id>
import { Agent, request } from 'node:http';

const [, , url = '', requestsArg = '1000', concurrencyArg = '16', keyedArg = '0', runId = 'run'] = process.argv;
const REQUESTS = Number(requestsArg);
const CONCURRENCY = Number(concurrencyArg);
const KEYED = keyedArg === '1';
const target = new URL('/orders', url);
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

let next = 0;
let ok = 0;
let failed = 0;
let firstFailure: string | null = null;

function post(i: number): Promise<void> {
  const body = Buffer.from(JSON.stringify({ orderId: `${runId}-${i}`, amount: 42, currency: 'EUR' }));
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'content-length': body.length };
  if (KEYED) headers['idempotency-key'] = `${runId}-${i}`;
  return new Promise((resolve) => {
    const req = request(target, { method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        // What is measured must be what a client gets: a created order.
        if (res.statusCode === 201) ok++;
        else {
          failed++;
          firstFailure ??= `${res.statusCode} ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`;
        }
        resolve();
      });
    });
    req.on('error', (error) => {
      failed++;
      firstFailure ??= error.message;
      resolve();
    });
    req.end(body);
  });
}

async function worker(): Promise<void> {
  while (next < REQUESTS) await post(next++);
}

await Promise.all(Array.from({ length: CONCURRENCY }, worker));
agent.destroy();
process.stdout.write(`${JSON.stringify({ ok, failed, firstFailure })}\n`);
