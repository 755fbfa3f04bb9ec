/**
 * The headers oncebus itself writes and reads, beside the user's own. Anything in an envelope may come from
 * a hostile sender: oncebus never lets one of these choose a host or skip a check it would not skip for
 * the operator (a returned message loses a forged `oncebus-ignore-retention` unless the operator asked).
 */

/** 'true' on a message an operator returned to be run although it is older than the retention window. */
export const IGNORE_RETENTION_HEADER = 'oncebus-ignore-retention';
/** On an error-queue copy: why it is there. */
export const FAILURE_REASON_HEADER = 'oncebus-failure-reason';
/** On an error-queue copy: the address of the queue it failed in (where a return sends it back). */
export const SOURCE_QUEUE_HEADER = 'oncebus-source-queue';
/** On an error-queue copy: the last failure's exception type (its `name`) and stack, for operations tools. */
export const EXCEPTION_TYPE_HEADER = 'oncebus-exception-type';
export const EXCEPTION_STACK_HEADER = 'oncebus-exception-stack';
/** The message type under which unreadable bytes are kept in an error queue. */
export const UNREADABLE_MESSAGE_TYPE = 'oncebus.UnreadableMessage';
