// The dashboard's JSON API, as both sides see it: the server's answers are checked against these types when
// it is compiled, and so is the page's script (page/app.ts, compiled for the browser), which reads them.
// Types only, importing nothing: the page's build sees this file and no server code.

export type FailedMessageStatus = 'unresolved' | 'returning' | 'returned' | 'archived';
export type StatusFilter = FailedMessageStatus | 'all';

/** GET /api/session */
export interface SessionAnswer {
  readonly csrfToken: string;
  readonly csrfHeader: string;
  readonly by: string;
  readonly store: string;
  readonly returns: { readonly enabled: boolean; readonly reason: string | null };
  readonly refreshMs: number;
}

/** GET /api/summary */
export interface SummaryAnswer {
  readonly counts: Readonly<Record<FailedMessageStatus, number>>;
}

/** A failure group: one message type failing with one exception type and one normalised message. */
export interface FailureGroupJson {
  readonly id: string;
  readonly title: string;
  readonly messageType: string;
  readonly exceptionType: string;
  readonly count: number;
  readonly firstFailedAt: number;
  readonly lastFailedAt: number;
}

/** GET /api/groups: a page of groups, the largest first; `total` groups and `messages` in all. */
export interface GroupsAnswer {
  readonly status: StatusFilter;
  readonly page: number;
  readonly limit: number;
  readonly total: number;
  readonly messages: number;
  readonly groups: readonly FailureGroupJson[];
}

/** A failed message as listed; `failure` is its last failure without the line's time and endpoint. */
export interface ListedMessage {
  readonly id: string;
  readonly messageId: string;
  readonly sourceQueue: string;
  readonly errorQueue: string;
  readonly messageType: string;
  readonly exceptionType: string;
  readonly failureMessage: string;
  readonly groupId: string;
  readonly groupTitle: string;
  readonly status: FailedMessageStatus;
  readonly timesFailed: number;
  readonly firstFailedAt: number;
  readonly lastFailedAt: number;
  readonly statusBy: string | null;
  readonly statusAt: number | null;
  readonly failure: string;
}

/** GET /api/messages */
export interface MessagesAnswer {
  readonly status: StatusFilter;
  readonly page: number;
  readonly limit: number;
  readonly total: number;
  readonly group: FailureGroupJson | null;
  readonly messages: readonly ListedMessage[];
}

/** How a body is shown: JSON re-indented (values kept as written), UTF-8 text, base64 of the bytes, or not at all. */
export interface BodyView {
  readonly kind: 'json' | 'text' | 'base64' | 'empty' | 'too-large';
  readonly text: string;
  /** Its size, in bytes (decoded, when it was decoded; as stored when it was too large to inflate). */
  readonly bytes: number;
  /** Why it is shown that way (compressed, encrypted, not an envelope, cut short, too large). */
  readonly note: string | null;
}

/** GET /api/messages/:id: what the page shows of one failed message. */
export interface MessageView extends ListedMessage {
  readonly envelope: {
    readonly correlationId: string;
    readonly messageReceivedId: string;
    readonly sender: string;
    readonly recipient: string;
    readonly principal: string;
    readonly sendDate: number;
    readonly expiryDate: number;
    readonly priority: number;
    readonly compression: string;
    readonly encryption: string;
  } | null;
  /** [name, value] in the envelope's order (at most 100); the stack is `stack`. */
  readonly headers: readonly (readonly [string, string])[];
  /** Headers left out past the first 100. */
  readonly headersOmitted: number;
  readonly body: BodyView;
  /** The last 100 failure lines, oldest first. */
  readonly failures: readonly string[];
  /** Failure lines left out before those. */
  readonly failuresOmitted: number;
  readonly stack: string | null;
  readonly ignoreRetention: boolean;
  readonly actions: readonly { readonly action: string; readonly by: string; readonly at: number }[];
  readonly rawBytes: number;
}

/** One queue's depth, or why it could not be counted. */
export interface QueueDepthJson {
  readonly queue: string;
  readonly messages: number | null;
  readonly note?: string;
}

/** One endpoint's idempotence rows. */
export interface IdempotenceStatsJson {
  readonly endpoint: string;
  readonly assigned: number;
  readonly handled: number;
  readonly completed: number;
  readonly oldestHandledAt: number | null;
  readonly storedSends: number;
  readonly purgeable: number;
}

/** GET /api/endpoints */
export interface EndpointsAnswer {
  readonly queues: readonly QueueDepthJson[] | null;
  readonly idempotence: { readonly where: string; readonly endpoints: readonly IdempotenceStatsJson[]; readonly error: string | null } | null;
}

/** A saga instance as listed (times epoch ms; completedAt set when its saga keeps completed instances). */
export interface SagaInstanceJson {
  readonly sagaType: string;
  readonly correlationId: string;
  readonly instanceId: string;
  readonly version: number;
  readonly createdAt: number;
  readonly updatedAt: number;
  readonly completedAt: number | null;
  readonly stateBytes: number;
}

/** GET /api/sagas?type=&stuck=&limit=: the instances of the endpoints' store, the oldest first by type. */
export interface SagasAnswer {
  /** Null: the dashboard was started without an endpoints' store (`--endpoint-store`). */
  readonly sagas: {
    readonly where: string;
    /** Instances per type, all of them (whatever the filter). */
    readonly types: readonly { readonly sagaType: string; readonly instances: number; readonly open: number }[];
    readonly type: string | null;
    /** The stuck filter: open instances started longer ago than this (e.g. '1h'), or null. */
    readonly stuck: string | null;
    readonly limit: number;
    readonly total: number;
    readonly instances: readonly SagaInstanceJson[];
    /** Why the store could not be read (no sagas table yet: not migrated). */
    readonly error: string | null;
  } | null;
}

/** An HTTP Idempotency-Key as listed (oncebus/http): its row without the stored response. Times are epoch ms. */
export interface HttpKeyJson {
  readonly scope: string;
  readonly key: string;
  readonly fingerprint: string;
  readonly status: 'running' | 'completed';
  readonly attempt: string;
  readonly lockedUntil: number | null;
  readonly responseStatus: number | null;
  readonly bodyBytes: number;
  readonly createdAt: number;
  readonly completedAt: number | null;
  readonly expiresAt: number;
}

/** GET /api/http-keys: the newest keys of the endpoints' store (null without --endpoint-store). */
export interface HttpKeysAnswer {
  readonly keys: {
    readonly where: string;
    readonly status: 'running' | 'completed' | null;
    readonly scope: string | null;
    /** Only keys created longer ago than this (e.g. '1h'), or null. */
    readonly older: string | null;
    readonly limit: number;
    readonly keys: readonly HttpKeyJson[];
    /** More keys match than are listed. */
    readonly more: boolean;
    /** Why the store could not be read (no http_keys table yet: not migrated). */
    readonly error: string | null;
  } | null;
}

/** GET /api/sagas/:id: one instance and its state, decoded (tagged JSON), masked and bounded. */
export interface SagaView extends SagaInstanceJson {
  readonly state: {
    readonly kind: 'json' | 'undecoded' | 'too-large';
    readonly text: string;
    readonly bytes: number;
    readonly note: string | null;
  };
}

/** GET /api/http-key?scope=&key=: one key and the response it stored, masked and bounded. */
export interface HttpKeyDetail extends HttpKeyJson {
  readonly expired: boolean;
  readonly response: {
    readonly status: number;
    readonly headers: readonly (readonly [string, string])[];
    readonly headersNote: string | null;
    readonly body: { readonly kind: 'json' | 'text' | 'base64' | 'empty' | 'too-large'; readonly text: string; readonly bytes: number; readonly note: string | null };
  } | null;
}

/** POST /api/return and /api/delete: the selection, and the answer. */
export interface ActionRequest {
  readonly ids?: readonly string[];
  readonly group?: string;
  readonly all?: boolean;
  readonly ignoreRetention?: boolean;
}
export interface ActionAnswer {
  readonly done: readonly string[];
  readonly skipped: readonly { readonly id: string; readonly reason: string }[];
}

/** Every error answer. */
export interface ErrorAnswer {
  readonly error: string;
}
