import { maskSecrets } from '../secrets/mask-secrets.js';
import type { FailedMessage, FailureGroup } from './errors/failed-message-types.js';

// What the operations tools show of a record, wherever they show it (the CLI's lists, the dashboard): every
// field a sender wrote with no secret in it, and bounded, so that a list costs the same whatever the
// messages hold.

/** An id, a type, an exception, a queue. */
const NAME_CHARS = 1024;
/** A failure line, a group's title. */
const LINE_CHARS = 4096;

/** A failed message as listed: masked and bounded. */
export function shownMessage(m: FailedMessage): FailedMessage {
  return {
    ...m,
    messageId: maskSecrets(m.messageId, NAME_CHARS),
    sourceQueue: maskSecrets(m.sourceQueue, NAME_CHARS),
    errorQueue: maskSecrets(m.errorQueue, NAME_CHARS),
    messageType: maskSecrets(m.messageType, NAME_CHARS),
    exceptionType: maskSecrets(m.exceptionType, NAME_CHARS),
    failureMessage: maskSecrets(m.failureMessage, LINE_CHARS),
    groupTitle: maskSecrets(m.groupTitle, LINE_CHARS),
    statusBy: m.statusBy === null ? null : maskSecrets(m.statusBy, NAME_CHARS),
  };
}

/** A failure group as listed: masked and bounded (its title holds the failure's text). */
export function shownGroup(g: FailureGroup): FailureGroup {
  return { ...g, title: maskSecrets(g.title, LINE_CHARS), messageType: maskSecrets(g.messageType, NAME_CHARS), exceptionType: maskSecrets(g.exceptionType, NAME_CHARS) };
}
