import type { FastifyInstance } from 'fastify';
import { parseDuration } from '../../config/duration.js';
import { maskSecrets } from '../../secrets/mask-secrets.js';
import type { SqlStore } from '../../stores/sql/operations.js';
import { listHttpKeys } from '../http-keys/http-key-rows.js';
import { httpKeyViews, scopesNamed, shownKey } from '../http-keys/http-key-view.js';
import type { HttpKeyDetail, HttpKeysAnswer } from './api-types.js';

// The HTTP keys page's API: the endpoints' Idempotency-Keys (oncebus/http), the newest first, and one key with
// the response it stored — masked and bounded as `npx oncebus http-keys` shows them.

/** An error the dashboard's error handler answers with its status (under 500) and message. */
const answered = (statusCode: number, message: string): Error => Object.assign(new Error(message), { statusCode });

interface ListQuery {
  status?: 'running' | 'completed';
  scope?: string;
  older?: string;
  limit?: number;
}

/** GET /api/http-keys and GET /api/http-key on `app`, reading `store` (none: the list answers null, a key 404). */
export function addHttpKeyRoutes(app: FastifyInstance, store: SqlStore | undefined, storeName: string | undefined): void {
  const where = store ? maskSecrets(storeName ?? `${store.database.dialect} endpoint store`) : '';

  app.get<{ Querystring: ListQuery }>(
    '/api/http-keys',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['running', 'completed'] },
            scope: { type: 'string', maxLength: 1000 },
            older: { type: 'string', maxLength: 20 },
            limit: { type: 'integer', minimum: 1, maximum: 500 },
          },
        },
      },
    },
    async (request): Promise<HttpKeysAnswer> => {
      if (!store) return { keys: null };
      const q = request.query;
      let olderMs: number | undefined;
      try {
        olderMs = q.older ? parseDuration(q.older, 'older') : undefined;
      } catch (error) {
        throw answered(400, error instanceof Error ? error.message : String(error));
      }
      const asked = { where, status: q.status ?? null, scope: q.scope ?? null, older: q.older || null, limit: q.limit ?? 50 };
      try {
        const found = await listHttpKeys(store, {
          createdBefore: olderMs === undefined ? undefined : Date.now() - olderMs,
          status: q.status,
          scopes: q.scope === undefined ? undefined : scopesNamed(q.scope),
          limit: asked.limit,
        });
        return { keys: { ...asked, keys: found.keys.map(shownKey), more: found.more, error: null } };
      } catch (error) {
        return { keys: { ...asked, keys: [], more: false, error: maskSecrets(error instanceof Error ? error.message : String(error)) } };
      }
    },
  );

  app.get<{ Querystring: { scope: string; key: string } }>(
    '/api/http-key',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['scope', 'key'],
          properties: { scope: { type: 'string', maxLength: 1000 }, key: { type: 'string', maxLength: 1000 } },
        },
      },
    },
    async (request): Promise<HttpKeyDetail> => {
      const { scope, key } = request.query;
      const found = store ? await httpKeyViews(store, key, scope) : [];
      const view = found.find((v) => v.scope === scope) ?? found[0];
      if (!view) throw answered(404, `no HTTP key ${maskSecrets(key, 300)} in scope ${maskSecrets(scope, 300)}`);
      return view;
    },
  );
}
