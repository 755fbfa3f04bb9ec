// Request and reply over RabbitMQ: starts the quote server as its own process, then a client endpoint
// here that sends five RequestQuote messages and waits for the five replies.
// Run: bash scripts/services.sh start && npm run sample:rabbitmq
import 'reflect-metadata';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Container } from 'inversify';
import { addOncebus, createSilentLogger, handlesMessage, type IHandlerContext, type IMessageHandler, TYPES } from '../../src/index.js';
import { runEndpoint } from '../../src/hosting/index.js';
import { RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';
import { QuoteGiven, queue, RequestQuote } from './messages.js';

const REQUESTS = 5;
let replies = 0;
let done: () => void;
const allReplied = new Promise<void>((resolve) => {
  done = resolve;
});

@handlesMessage(QuoteGiven)
class QuoteGivenHandler implements IMessageHandler<QuoteGiven> {
  handle(ctx: IHandlerContext<QuoteGiven>): void {
    replies++;
    console.log(`client: quote for ${ctx.message.sku}: ${ctx.message.price} (reply to ${ctx.transportMessage.messageReceivedId.slice(0, 8)})`);
    if (replies === REQUESTS) done();
  }
}

const server = spawn(process.execPath, [fileURLToPath(new URL('./server.js', import.meta.url))], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise<void>((resolve, reject) => {
  server.stdout.on('data', (d: Buffer) => d.toString().includes('server ready') && resolve());
  server.on('exit', (code) => reject(new Error(`the server exited (${code}); are RabbitMQ and PostgreSQL running? bash scripts/services.sh start`)));
});
console.log('server: started in its own process (RabbitMQ transport, PostgreSQL idempotence)');

const rabbit = new RabbitMqQueueFactory();
const container = new Container();
container.bind(TYPES.QueueFactory).toConstantValue(rabbit);
container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
addOncebus(container, {
  inbox: { workQueueUri: queue('quote-client'), errorQueueUri: queue('quote-client-error'), deferredQueueUri: queue('quote-client-deferred') },
  handlers: [QuoteGivenHandler],
  routes: [{ uri: queue('quote-server'), specifications: [{ startsWith: 'quotes.Request' }] }],
  sends: [RequestQuote],
});
// Under runEndpoint: a broker that cannot be reached is one masked line and exit 1; Ctrl-C stops it cleanly.
const host = await runEndpoint(container, { afterStop: () => rabbit.close() });
const client = host.bus;
for (let i = 1; i <= REQUESTS; i++) {
  const sent = await client.send(new RequestQuote(`sku-${i}`, i));
  console.log(`client: asked for a quote on sku-${i} (message ${sent.messageId.slice(0, 8)}, confirmed by the broker)`);
}
const timeout = setTimeout(() => {
  console.error(`only ${replies} of ${REQUESTS} replies arrived`);
  process.exit(1);
}, 30_000);
await allReplied;
clearTimeout(timeout);
await host.stop();
server.kill('SIGTERM');
await new Promise((r) => server.on('exit', r));
console.log(`${replies} requests, ${replies} replies: done.`);
