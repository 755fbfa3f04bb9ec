import rhea, { type Message } from 'rhea';
import type { AsbTestBroker } from './broker.js';
import { Entity, type Topic } from './entities.js';
import { uuidToString } from './lock-token.js';

export interface ManagementResult {
  status: number;
  description: string;
  body?: unknown;
}

/**
 * The `<entity>/$management` operations the SDK uses for what AMQP links cannot express. Implemented:
 * renew-lock, update-disposition (completed, abandoned, suspended), schedule-message,
 * cancel-scheduled-message. Anything else answers 501 with the operation's
 * name, so a test that needs more fails loudly instead of passing on a silent no-op.
 */
export function handleManagement(broker: AsbTestBroker, entity: Entity | Topic | undefined, request: Message): ManagementResult {
  const operation = String((request.application_properties as Record<string, unknown> | undefined)?.operation ?? '');
  if (!entity) return { status: 404, description: 'The messaging entity could not be found.' };
  const body = (request.body ?? {}) as Record<string, unknown>;
  switch (operation) {
    case 'com.microsoft:renew-lock': {
      if (!(entity instanceof Entity)) return { status: 400, description: 'renew-lock on a topic' };
      const tokens = (body['lock-tokens'] as unknown[] | undefined) ?? [];
      const expirations: Date[] = [];
      for (const t of tokens) {
        const lock = entity.locks.get(uuidToString(t));
        if (!lock) return { status: 410, description: 'com.microsoft:message-lock-lost: the lock supplied is invalid' };
        lock.expiresAt = Date.now() + entity.lockDurationMs;
        expirations.push(new Date(lock.expiresAt));
      }
      return { status: 200, description: 'OK', body: { expirations } };
    }
    case 'com.microsoft:update-disposition': {
      // The SDK settles through management when the link that delivered the message is gone.
      if (!(entity instanceof Entity)) return { status: 400, description: 'update-disposition on a topic' };
      const status = String(body['disposition-status'] ?? '');
      for (const t of (body['lock-tokens'] as unknown[] | undefined) ?? []) {
        const token = uuidToString(t);
        if (!entity.locks.has(token)) return { status: 410, description: 'com.microsoft:message-lock-lost: the lock supplied is invalid' };
        if (status === 'completed') entity.complete(token);
        else if (status === 'abandoned') entity.abandon(token);
        else if (status === 'suspended') entity.deadLetterLocked(token, String(body['deadletter-reason'] ?? ''), String(body['deadletter-description'] ?? ''));
        else return { status: 501, description: `the test broker does not implement disposition '${status}'` };
      }
      return { status: 200, description: 'OK', body: {} };
    }
    case 'com.microsoft:schedule-message': {
      const items = (body.messages as { message: Buffer }[] | undefined) ?? [];
      const sequences: number[] = [];
      for (const item of items) {
        const message = rhea.message.decode(Buffer.from(item.message)) as unknown as Message;
        const at = (message.message_annotations as Record<string, unknown> | undefined)?.['x-opt-scheduled-enqueue-time'];
        const due = at instanceof Date ? at.getTime() : Number(at ?? 0);
        sequences.push(...broker.enqueue(entity, message, due));
      }
      return { status: 200, description: 'OK', body: { 'sequence-numbers': rhea.types.wrap_array(sequences, 0x81, undefined) } };
    }
    case 'com.microsoft:cancel-scheduled-message': {
      const numbers = ((body['sequence-numbers'] as unknown[] | undefined) ?? []).map((n) => Number(Buffer.isBuffer(n) ? n.readBigInt64BE() : n));
      const targets = entity instanceof Entity ? [entity] : [...entity.subscriptions.values()];
      for (const e of targets) {
        for (let i = e.scheduled.length - 1; i >= 0; i--) if (numbers.includes(e.scheduled[i]!.sequenceNumber)) e.scheduled.splice(i, 1);
      }
      return { status: 200, description: 'OK', body: {} };
    }
    default:
      return { status: 501, description: `the test broker does not implement '${operation}'` };
  }
}
