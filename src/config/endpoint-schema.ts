import * as v from 'valibot';
import type { HandlerClass } from '../handling/handles-message.js';
import type { MessageClass } from '../messages/message-type.js';

/**
 * EndpointOptions as a schema (valibot: strict objects, every problem at once with its path, a JSON Schema
 * generated from it for editors; about a quarter of zod's install size, which every user pays). Two
 * variants: the settings a JSON file or the environment can hold (`endpointSettingsSchema`, message types
 * by name), and the options code passes (`endpointOptionsSchema`, classes too).
 */

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/;
const DURATION_MESSAGE = "is not a duration (a number of ms, or e.g. '250ms', '5s', '2m', '1h', '7d')";

const duration = v.union([v.pipe(v.number(), v.minValue(0, DURATION_MESSAGE)), v.pipe(v.string(), v.regex(DURATION, DURATION_MESSAGE))], DURATION_MESSAGE);
const positiveInt = v.pipe(v.number('must be a number'), v.integer('must be a whole number'), v.minValue(1, 'must be at least 1'));
/**
 * A queue URI; a RabbitMQ queue's `queueType` is checked here too, in the same pattern (a JSON Schema string
 * has one), so an editor flags `queueType=quorom` as it is typed. The rest a transport checks when it parses.
 */
const QUEUE_URI = /^(?![Rr][Aa][Bb][Bb][Ii][Tt][Mm][Qq][Ss]?:\/\/[^#]*[?&]queueType=(?!(?:classic|quorum)(?:[&#]|$)))[a-zA-Z][a-zA-Z0-9+.-]*:\/\/./;
const queueUri = v.pipe(
  v.string('must be a queue URI (scheme://…)'),
  v.regex(QUEUE_URI, "is not a queue URI (scheme://…; a RabbitMQ queueType is 'classic' or 'quorum')"),
);
const durations = v.array(duration, 'must be a list of durations');
const byteSize = v.pipe(
  v.number('must be a number of bytes'),
  v.integer('must be a whole number of bytes'),
  v.minValue(1024, 'must be at least 1024 bytes'),
  v.maxValue(1024 * 1024 * 1024, 'must be at most 1 GiB (1073741824 bytes)'),
);

const processing = {
  workQueueUri: queueUri,
  errorQueueUri: queueUri,
  threadCount: v.optional(positiveInt),
  maximumFailureCount: v.optional(positiveInt),
  durationToIgnoreOnFailure: v.optional(durations),
  durationToSleepWhenIdle: v.optional(v.pipe(durations, v.minLength(1, 'needs at least one duration'))),
};

const isClass = (value: unknown): boolean => typeof value === 'function';
const handlerClass = v.custom<HandlerClass>(isClass, 'must be a handler class (handlers come from code)');
const messageClass = v.custom<MessageClass>(isClass, 'must be a message class');

const scheduleName = v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'must be 1 to 100 letters, digits or . _ : -'));
const scheduleMessage = v.custom<object>((m) => (typeof m === 'object' && m !== null) || typeof m === 'function', 'must be a message (an instance of a message class) or a function that makes one');

/** A schedule (code only: its message is an object or a function). The expression itself is read by CronExpression. */
const schedule = v.strictObject({
  name: scheduleName,
  cron: v.pipe(v.string('must be a cron expression'), v.maxLength(200, 'must be at most 200 characters')),
  message: scheduleMessage,
  timezone: v.optional(v.pipe(v.string('must be an IANA time zone'), v.maxLength(100, 'must be at most 100 characters'))),
  backfill: v.optional(duration),
  recipient: v.optional(queueUri),
  local: v.optional(v.boolean()),
});

/**
 * The entries of both variants: `typeRef` is how a message type may be named (by name; in code, by class
 * too), `pattern` how a route's regex may be given (a string; in code, a RegExp too).
 */
function entries<T extends v.GenericSchema<unknown, string | MessageClass>, R extends v.GenericSchema<unknown, string | RegExp>>(typeRef: T, pattern: R) {
  return {
    name: v.optional(v.pipe(v.string(), v.minLength(1, 'must not be empty'))),
    inbox: v.optional(v.strictObject({ ...processing, deferredQueueUri: v.optional(queueUri) })),
    outbox: v.optional(v.strictObject(processing)),
    routes: v.optional(
      v.array(
        v.strictObject({
          uri: queueUri,
          specifications: v.array(
            v.union(
              [
                v.strictObject({ startsWith: v.string() }),
                v.strictObject({ regex: pattern }),
                v.strictObject({ types: v.array(typeRef) }),
              ],
              'must be one of { startsWith }, { regex } or { types }',
            ),
          ),
        }),
      ),
    ),
    subscriptions: v.optional(v.array(typeRef)),
    idempotence: v.optional(v.union([v.boolean(), v.strictObject({ enabled: v.boolean() })], 'must be true, false or { enabled: boolean }')),
    compression: v.optional(v.string()),
    encryption: v.optional(v.string()),
    stopTimeout: v.optional(duration),
    handlerTimeout: v.optional(duration),
    sessionSweepInterval: v.optional(duration),
    createQueues: v.optional(v.boolean()),
    maxMessageSize: v.optional(byteSize),
    trustedConnections: v.optional(v.array(queueUri, 'must be a list of connection URIs (rabbitmq://host[:port])')),
  };
}

/** What a settings file (config/*.json) and ONCEBUS_… variables may hold. `$schema` points editors at the JSON Schema. */
export const endpointSettingsSchema = v.strictObject({ $schema: v.optional(v.string()), ...entries(v.string(), v.string()) });

/** What code passes to addOncebus: the settings, plus classes. */
export const endpointOptionsSchema = v.strictObject({
  ...entries(v.union([v.string(), messageClass], 'must be a message class or a message type name'), v.union([v.string(), v.instance(RegExp)])),
  handlers: v.optional(v.array(handlerClass)),
  messageTypes: v.optional(v.array(messageClass)),
  sends: v.optional(v.array(messageClass)),
  schedules: v.optional(v.array(schedule, 'must be a list of schedules')),
});

/** Settings as loaded from a file: spread them into EndpointOptions with the classes from code. */
export type EndpointSettings = Omit<v.InferOutput<typeof endpointSettingsSchema>, '$schema'>;
