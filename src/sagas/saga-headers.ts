/** On every message a saga sends (and so on replies to it): the saga type and instance that sent it. */
export const SAGA_TYPE_HEADER = 'oncebus-saga-type';
export const SAGA_ID_HEADER = 'oncebus-saga-id';
/** On a timeout a saga requested: its token, which must still be the instance's current one for it to run. */
export const SAGA_TIMEOUT_HEADER = 'oncebus-saga-timeout';
