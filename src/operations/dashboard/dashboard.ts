import { userInfo } from 'node:os';
import type { AddressInfo } from 'node:net';
import type Fastify from 'fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CodecRegistry } from '../../codecs/codec-registry.js';
import type { ICompressionAlgorithm } from '../../codecs/compression.js';
import type { IEncryptionAlgorithm } from '../../codecs/encryption.js';
import { requireDriver } from '../../drivers/require-driver.js';
import { parseDuration } from '../../config/duration.js';
import { ConfigurationError } from '../../errors/errors.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import type { SqlStore } from '../../stores/sql/operations.js';
import type { IQueueFactory } from '../../transport/queue.js';
import type { QueueRegistry } from '../../transport/queue-registry.js';
import type { FailedMessageStatus, FailedMessageStore } from '../errors/failed-message-store.js';
import { deleteFailedMessages, returnFailedMessages } from '../errors/return-failed-messages.js';
import { idempotenceStats } from '../idempotence-report.js';
import { queueDepths } from '../queue-depths.js';
import { guardRequests, refuse } from './request-guard.js';
import { CSRF_HEADER, isLoopback, loopbackHosts, randomToken } from './security.js';
import type { ActionAnswer, EndpointsAnswer, GroupsAnswer, MessagesAnswer, MessageView, SagasAnswer, SagaView, SessionAnswer, SummaryAnswer } from './api-types.js';
import { EnvelopeViews } from './envelope-views.js';
import { addHttpKeyRoutes } from './http-key-routes.js';
import { pageFiles } from './page-files.js';
import { depthView, listedGroup, listedMessage, messageView } from './views.js';
import { sagaInstanceView, sagasOf } from './saga-views.js';

export interface DashboardOptions {
  /** The operations store: what failed, by group, and what operators did. */
  readonly store: FailedMessageStore;
  /** Where the store is, for the page (masked: a password in it is never shown). */
  readonly storeName?: string;
  /**
   * The queues returns go to: only those it may send to (QueueRegistry.checkDestination: trust the brokers
   * returns may go to). Without it returns are refused (deletes still work).
   */
  readonly queues?: QueueRegistry;
  /** Endpoint queue URIs whose depth the Endpoints page shows, counted through `queueFactories`. */
  readonly endpointQueues?: readonly string[];
  readonly queueFactories?: readonly IQueueFactory[];
  /** The endpoints' SQL store: its idempotence rows per endpoint on the Endpoints page, its saga instances on the Sagas page, its HTTP Idempotency-Keys on the HTTP keys page. */
  readonly endpointStore?: SqlStore;
  readonly endpointStoreName?: string;
  /** Default 127.0.0.1. Any host but a loopback one requires `token`. */
  readonly host?: string;
  /** Default 0: any free port (see `url`). */
  readonly port?: number;
  /** When set, every request needs it: `?token=` once (then a cookie), or `Authorization: Bearer`. At least 16 characters. */
  readonly token?: string;
  /** Who acts, recorded with each return and delete. Default: the OS user name. */
  readonly by?: string;
  /** How often the page polls, in ms (default 3000). */
  readonly refreshMs?: number;
  /**
   * The encryption (with its keys) and compression algorithms the endpoints use, so a message's body is
   * shown decoded; without them such a body is shown as base64. gzip is always known.
   */
  readonly codecs?: readonly (IEncryptionAlgorithm | ICompressionAlgorithm)[];
}

export interface Dashboard {
  /** Where it listens, e.g. http://127.0.0.1:43121/ (never with the token). */
  readonly url: string;
  close(): Promise<void>;
}

const STATUSES = ['unresolved', 'returning', 'returned', 'archived', 'all'] as const;
const MIN_TOKEN_LENGTH = 16;

/** Raised by a route: its status and message go back as `{ error }`. */
class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
  }
}

interface Selection {
  readonly ids?: string[];
  readonly group?: string;
  readonly all?: boolean;
  readonly ignoreRetention?: boolean;
}

const selectionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ids: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 200 }, maxItems: 1000 },
    group: { type: 'string', minLength: 1, maxLength: 200 },
    all: { type: 'boolean' },
    ignoreRetention: { type: 'boolean' },
  },
} as const;

function defaultUser(): string {
  try {
    return userInfo().username || 'operator';
  } catch {
    return 'operator';
  }
}

/**
 * Refuses settings that would expose the dashboard (ConfigurationError): a host other than a loopback one
 * without a token, a token shorter than 16 characters, a port out of range.
 */
export function checkDashboardOptions(options: Pick<DashboardOptions, 'host' | 'port' | 'token'>): void {
  const host = options.host ?? '127.0.0.1';
  const { token } = options;
  if (token !== undefined && token.length < MIN_TOKEN_LENGTH) {
    throw new ConfigurationError('--token', `a dashboard token has at least ${MIN_TOKEN_LENGTH} characters`, { hint: 'make one with: openssl rand -hex 32' });
  }
  if (!isLoopback(host) && token === undefined) {
    throw new ConfigurationError('--host', `the dashboard would listen on ${host} without a token: anyone who reaches it could return and delete failed messages`, {
      hint: 'give a token (--token, or ONCEBUS_DASHBOARD_TOKEN; e.g. openssl rand -hex 32), or keep the default host 127.0.0.1 and reach it through an SSH tunnel',
    });
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigurationError('--port', `'${port}' is not a port`, { hint: 'give 1-65535, or 0 for any free port' });
}

/**
 * Starts the operations dashboard: one page (failed messages by group, search, a message's detail, return
 * and delete behind a confirmation, queue depths and idempotence rows), polling a JSON API under /api.
 * Safe by default: it binds 127.0.0.1; another host needs a token; actions need the page's CSRF token;
 * data is rendered as text under a CSP without inline scripts. Needs the optional peer dependency fastify.
 */
export async function createDashboard(options: DashboardOptions): Promise<Dashboard> {
  checkDashboardOptions(options);
  const host = options.host ?? '127.0.0.1';
  const token = options.token;
  const port = options.port ?? 0;
  const fastify = requireDriver<typeof Fastify>('fastify', 'the oncebus dashboard');
  const files = await pageFiles();
  const { store, queues } = options;
  const by = options.by ?? defaultUser();
  const csrf = randomToken();
  const refreshMs = Math.max(500, options.refreshMs ?? 3000);
  const envelopes = new EnvelopeViews(store, new CodecRegistry(options.codecs ?? []));
  const storeName = maskSecrets(options.storeName ?? `${store.database.dialect} operations store`);
  const returnsOff = queues
    ? null
    : "returns are off: this dashboard was started without the endpoints' transports (give --transport sqlite:<file>, postgres://…, rabbitmq://user:password@host or azuresb://<name>)";

  const app = fastify({ logger: false, bodyLimit: 256 * 1024, return503OnClosing: true, forceCloseConnections: true });
  let allowedHosts: Set<string> | null = null; // set once listening (the port is known then)
  const cookieName = () => `oncebus_dashboard_${(app.server.address() as AddressInfo).port}`;

  guardRequests(app, { allowedHosts: () => allowedHosts, token, csrf, cookieName });

  app.setErrorHandler((error: Error & { statusCode?: number }, _request, reply) => {
    const status = error instanceof HttpError ? error.statusCode : error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    void reply.code(status).send({ error: maskSecrets(error.message) });
  });
  app.setNotFoundHandler((request, reply) => refuse(reply, 404, `nothing at ${request.method} ${request.url.split('?')[0]}`, !request.url.startsWith('/api/')));

  for (const [path, file] of files) app.get(path, async (_request: FastifyRequest, reply: FastifyReply) => reply.type(file.type).send(file.body));
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).send());

  app.get('/api/session', async (): Promise<SessionAnswer> => ({
    csrfToken: csrf,
    csrfHeader: CSRF_HEADER,
    by,
    store: storeName,
    returns: { enabled: returnsOff === null, reason: returnsOff },
    refreshMs,
  }));

  app.get('/api/summary', async (): Promise<SummaryAnswer> => {
    const counts: Record<FailedMessageStatus, number> = { unresolved: 0, returning: 0, returned: 0, archived: 0 };
    for (const status of ['unresolved', 'returning', 'returned', 'archived'] as const) counts[status] = (await store.list({ status, limit: 1 })).total;
    return { counts };
  });

  app.get<{ Querystring: { status?: string; page?: number; limit?: number } }>(
    '/api/groups',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { status: { type: 'string', enum: [...STATUSES] }, page: { type: 'integer', minimum: 1 }, limit: { type: 'integer', minimum: 1, maximum: 500 } },
        },
      },
    },
    async (request): Promise<GroupsAnswer> => {
      const status = (request.query.status ?? 'unresolved') as FailedMessageStatus | 'all';
      const page = request.query.page ?? 1;
      const limit = request.query.limit ?? 25;
      const found = await store.groupPage({ status, offset: (page - 1) * limit, limit });
      return { status, page, limit, total: found.total, messages: found.messages, groups: found.groups.map(listedGroup) };
    },
  );

  app.get<{ Querystring: { status?: string; group?: string; search?: string; page?: number; limit?: number } }>(
    '/api/messages',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: [...STATUSES] },
            group: { type: 'string', maxLength: 200 },
            search: { type: 'string', maxLength: 500 },
            page: { type: 'integer', minimum: 1 },
            limit: { type: 'integer', minimum: 1, maximum: 500 },
          },
        },
      },
    },
    async (request): Promise<MessagesAnswer> => {
      const q = request.query;
      const status = (q.status ?? 'unresolved') as FailedMessageStatus | 'all';
      const page = q.page ?? 1;
      const limit = q.limit ?? 25;
      const groupId = q.group || undefined;
      const found = await store.list({ status, groupId, search: q.search || undefined, offset: (page - 1) * limit, limit });
      const grouped = groupId === undefined ? null : await store.group(groupId);
      const group = grouped === null ? null : listedGroup(grouped);
      return { status, page, limit, total: found.total, group, messages: found.messages.map(listedMessage) };
    },
  );

  app.get<{ Params: { id: string } }>('/api/messages/:id', { schema: { params: { type: 'object', properties: { id: { type: 'string', maxLength: 1000 } } } } }, async (request): Promise<MessageView> => {
    const found = await store.summary(request.params.id);
    if (!found) throw new HttpError(404, `no failed message ${maskSecrets(request.params.id, 1000)}`);
    return messageView(found, await envelopes.of(found));
  });

  app.get('/api/endpoints', async (): Promise<EndpointsAnswer> => {
    const uris = options.endpointQueues ?? [];
    const depths = uris.length === 0 ? null : (await queueDepths(uris, options.queueFactories ?? [])).map(depthView);
    let idempotence: { where: string; endpoints: Awaited<ReturnType<typeof idempotenceStats>>; error: string | null } | null = null;
    if (options.endpointStore) {
      const where = maskSecrets(options.endpointStoreName ?? `${options.endpointStore.database.dialect} endpoint store`);
      try {
        idempotence = { where, endpoints: await idempotenceStats(options.endpointStore), error: null };
      } catch (error) {
        idempotence = { where, endpoints: [], error: maskSecrets(error instanceof Error ? error.message : String(error)) };
      }
    }
    return { queues: depths, idempotence };
  });

  app.get<{ Querystring: { type?: string; stuck?: string; limit?: number } }>(
    '/api/sagas',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { type: { type: 'string', maxLength: 500 }, stuck: { type: 'string', maxLength: 20 }, limit: { type: 'integer', minimum: 1, maximum: 500 } },
        },
      },
    },
    async (request): Promise<SagasAnswer> => {
      if (!options.endpointStore) return { sagas: null };
      const where = maskSecrets(options.endpointStoreName ?? `${options.endpointStore.database.dialect} endpoint store`);
      const q = request.query;
      let stuckMs: number | undefined;
      try {
        stuckMs = q.stuck ? parseDuration(q.stuck, 'stuck') : undefined;
      } catch (error) {
        throw new HttpError(400, error instanceof Error ? error.message : String(error));
      }
      return { sagas: await sagasOf(options.endpointStore, where, { type: q.type || undefined, stuck: q.stuck || undefined, stuckMs, limit: q.limit ?? 50 }) };
    },
  );

  app.get<{ Params: { id: string } }>('/api/sagas/:id', { schema: { params: { type: 'object', properties: { id: { type: 'string', maxLength: 200 } } } } }, async (request): Promise<SagaView> => {
    const found = options.endpointStore ? await sagaInstanceView(options.endpointStore, request.params.id) : undefined;
    if (!found) throw new HttpError(404, `no saga instance ${maskSecrets(request.params.id, 200)}`);
    return found;
  });

  addHttpKeyRoutes(app, options.endpointStore, options.endpointStoreName);

  const chosen = async (body: Selection): Promise<string[]> => {
    const ways = [body.ids !== undefined, body.group !== undefined, body.all === true].filter(Boolean).length;
    if (ways !== 1) throw new HttpError(400, 'name the failed messages: ids, or group, or all (one of them)');
    if (body.group !== undefined) return store.unresolved({ groupId: body.group });
    if (body.all) return store.unresolved({ all: true });
    return body.ids ?? [];
  };

  app.post<{ Body: Selection }>('/api/return', { schema: { body: selectionSchema } }, async (request): Promise<ActionAnswer> => {
    if (!queues) throw new HttpError(409, returnsOff!);
    const ids = await chosen(request.body);
    return returnFailedMessages(store, queues, ids, { by, ignoreRetention: request.body.ignoreRetention === true });
  });

  app.post<{ Body: Selection }>('/api/delete', { schema: { body: selectionSchema } }, async (request): Promise<ActionAnswer> => {
    const ids = await chosen(request.body);
    return deleteFailedMessages(store, ids, { by });
  });

  await app.listen({ host, port });
  const address = app.server.address() as AddressInfo;
  if (isLoopback(host) && token === undefined) allowedHosts = new Set([...loopbackHosts(address.port), `${host}:${address.port}`.toLowerCase()]);
  const shownHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${address.port}/`,
    close: () => app.close(),
  };
}
