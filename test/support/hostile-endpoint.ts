// A child endpoint that is sent one hostile message and reports what became of it, and how far its peak
// memory (getrusage's maxRSS, which only a fresh process measures cleanly) grew meanwhile. HOSTILE_CONFIG
// (JSON, see HostileConfig) says which transport and which message; one JSON line on stdout is the report.
import 'reflect-metadata';
import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Container } from 'inversify';
import type { EndpointOptions } from '../../src/config/endpoint-options.js';
import { addOncebus, createSilentLogger, handlesMessage, type IMessageHandler, type IServiceBus, TYPES } from '../../src/index.js';
import { emptyTransportMessage, type IQueueFactory, serializeTransportMessage } from '../../src/extending.js';
import { deserializeTransportMessage } from '../../src/envelope/wire-format.js';
import { MemoryBroker } from '../../src/transports/memory/index.js';
import { RabbitMqQueueFactory } from '../../src/transports/rabbitmq/index.js';
import { waitForEvents } from './latch.js';
import { PlaceOrder } from './messages.js';
import { rabbitUri } from './rabbitmq.js';

export interface HostileConfig {
  readonly transport: 'memory' | 'rabbitmq';
  readonly queue: string;
  /** 'gzip-bomb': a small body that inflates to `inflatesToMiB`; 'oversized-envelope': an envelope of `envelopeBytes`. */
  readonly message: 'gzip-bomb' | 'oversized-envelope';
  readonly inflatesToMiB?: number;
  readonly envelopeBytes?: number;
  readonly maxMessageSize?: number;
}

export interface HostileReport {
  readonly outcome: 'error-queue' | 'handled';
  readonly reason: string;
  /** How much the process's peak resident memory grew while the message was taken and dealt with. */
  readonly peakGrowthMiB: number;
  readonly sentBytes: number;
  readonly sentSha256: string;
  /** The hash of the envelope's body as sent (what an error-queue copy of a readable envelope keeps). */
  readonly sentBodySha256: string;
  /** The error queue's copy: its type, its body's hash (the raw bytes kept?), its headers and failure lines. */
  readonly copy: { messageType: string; bodySha256: string; headers: Record<string, string>; failureMessages: string[] } | null;
}

const cfg = JSON.parse(process.env.HOSTILE_CONFIG ?? '{}') as HostileConfig;
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const peakMiB = (): number => process.resourceUsage().maxRSS / 1024;

@handlesMessage(PlaceOrder)
class Accepts implements IMessageHandler<PlaceOrder> {
  handle(): void {}
}

/** gzip members concatenated (gunzip reads them all): a bomb made without holding what it inflates to. */
function gzipBomb(mib: number): Buffer {
  const member = gzipSync(Buffer.alloc(1024 * 1024), { level: 9 });
  return Buffer.concat(Array.from({ length: mib }, () => member));
}

function hostileEnvelope(): { bytes: Uint8Array; body: Uint8Array } {
  const tm = emptyTransportMessage();
  tm.messageId = randomUUID();
  tm.messageType = 'test.PlaceOrder';
  if (cfg.message === 'gzip-bomb') {
    tm.compressionAlgorithm = 'gzip';
    tm.message = gzipBomb(cfg.inflatesToMiB ?? 256);
  } else {
    const padding = 'x'.repeat(cfg.envelopeBytes ?? 8 * 1024 * 1024);
    tm.message = Buffer.from(JSON.stringify({ orderId: 'big', padding }));
  }
  return { bytes: serializeTransportMessage(tm), body: tm.message };
}

const factory: IQueueFactory = cfg.transport === 'rabbitmq' ? new RabbitMqQueueFactory() : new MemoryBroker();
const uri = (q: string): string => (cfg.transport === 'rabbitmq' ? rabbitUri(q) : `memory://${q}`);
const container = new Container();
container.bind(TYPES.QueueFactory).toConstantValue(factory);
container.bind(TYPES.Logger).toConstantValue(createSilentLogger());
const options: EndpointOptions = {
  inbox: { workQueueUri: uri(cfg.queue), errorQueueUri: uri(`${cfg.queue}-error`), threadCount: 1, maximumFailureCount: 1, durationToSleepWhenIdle: ['5ms', '20ms'] },
  handlers: [Accepts],
  stopTimeout: '2s',
};
if (cfg.maxMessageSize !== undefined) (options as Record<string, unknown>).maxMessageSize = cfg.maxMessageSize;
addOncebus(container, options);
const bus = container.get<IServiceBus>(TYPES.ServiceBus);
await bus.start();

const { bytes, body } = hostileEnvelope();
const sentSha256 = sha256(bytes);
const sentBodySha256 = sha256(body);
const before = peakMiB();
const failed = waitForEvents(bus.events, 'messageSentToErrorQueue', 1, () => true, 60_000).then(([[, reason]]) => ({ outcome: 'error-queue' as const, reason }));
const handled = waitForEvents(bus.events, 'messageHandled', 1, () => true, 60_000).then(() => ({ outcome: 'handled' as const, reason: '' }));
await factory.create(uri(cfg.queue)).enqueue(emptyTransportMessage(), bytes);
const { outcome, reason } = await Promise.race([failed, handled]);
const peakGrowthMiB = Math.round(peakMiB() - before);

let copy: HostileReport['copy'] = null;
if (outcome === 'error-queue') {
  const errors = factory.create(uri(`${cfg.queue}-error`));
  const taken = await errors.getMessage();
  if (taken) {
    const tm = deserializeTransportMessage(taken.body, { maxMessageSize: Number.MAX_SAFE_INTEGER });
    copy = { messageType: tm.messageType, bodySha256: sha256(tm.message), headers: tm.headers, failureMessages: tm.failureMessages };
    await errors.acknowledge(taken.token);
  }
  await errors.close();
}
await bus.stop();
await (factory as { close?: () => Promise<void> }).close?.();
const report: HostileReport = { outcome, reason, peakGrowthMiB, sentBytes: bytes.byteLength, sentSha256, sentBodySha256, copy };
process.stdout.write(`${JSON.stringify(report)}\n`);
process.exit(0);
