import { expect } from 'chai';
import {
  BusStateError,
  ConfigurationError,
  RetentionWindowPassedError,
  HandlerTimeoutError,
  MessageDeserializationError,
  NoHandlerError,
  SimulatedCrash,
  StoreError,
  TransactionAbortedError,
  TransactionMisuseError,
  TransportError,
} from '../../../src/errors/errors.js';
import { ERROR_KINDS } from '../../../src/errors/error-codes.js';
import { OncebusError } from '../../../src/errors/oncebus-error.js';
import { classifyFailure, type FailureKind } from '../../../src/recoverability/classify-failure.js';
import { DuplicateKeyError, isMssqlConnectionFailure } from '../../../src/stores/mssql/mssql-errors.js';
import { isPgConnectionFailure } from '../../../src/stores/postgres/pg-connection-failure.js';
import { BrokerUnavailableError, PublishRejectedError, QueueMismatchError } from '../../../src/transports/rabbitmq/rabbitmq-errors.js';
import { INFRASTRUCTURE_FAILURE_LIMIT, InfrastructureFailures } from '../../../src/recoverability/infrastructure-failures.js';

describe('classifyFailure: where a failure sends its message', () => {
  const thrown = new Error('handler threw');
  const timedOut = new HandlerTimeoutError('m', 100);
  const storeUnderSend = new StoreError('the store failed while ctx.send stored a send');
  const broker = new BrokerUnavailableError('lost', 'down');
  const busState = new BusStateError('not started');
  const duplicate = new DuplicateKeyError('duplicate key in the handler’s table', null);
  const cases: [string, unknown, unknown, boolean, FailureKind][] = [
    ['a simulated crash', new SimulatedCrash('x'), undefined, false, 'crash'],
    ['a body that will not deserialize', new MessageDeserializationError('bad'), undefined, false, 'unreadable'],
    ['no handler', new NoHandlerError('t'), undefined, false, 'unreadable'],
    ['the handler’s throw', thrown, thrown, false, 'message'],
    ['the handler’s timeout', timedOut, timedOut, false, 'message'],
    ['the handler given up by stop()', thrown, thrown, true, 'stopped'],
    ['a transaction the handler left aborted', new TransactionAbortedError('aborted'), undefined, false, 'message'],
    ['a COMMIT the handler tried', new TransactionMisuseError('commit', 'h'), undefined, false, 'message'],
    ['a stored send to a queue configured wrongly', new ConfigurationError('queue', 'unknown scheme'), undefined, false, 'message'],
    ['the store failing', new StoreError('down'), undefined, false, 'infrastructure'],
    ['the store failing under the handler’s ctx.send (found by the simulator, seed 3)', storeUnderSend, storeUnderSend, false, 'infrastructure'],
    ['the transport failing', new TransportError('down'), undefined, false, 'infrastructure'],
    ['anything else', new Error('?'), undefined, false, 'infrastructure'],
    ['a broker outage under the handler’s dispatch', broker, broker, false, 'infrastructure'],
    ['a queue declared with other arguments', new QueueMismatchError('q', 'durable', 'x'), undefined, false, 'message'],
    ['a message past its retention window', new RetentionWindowPassedError('m', 2, 1), undefined, false, 'unreadable'],
    ['a send before start, from the handler', busState, busState, false, 'message'],
    ['a send before start, outside the handler', new BusStateError('x'), undefined, false, 'infrastructure'],
    ['a duplicate key the handler’s own write hit', duplicate, duplicate, false, 'message'],
    ['a duplicate key outside the handler', new DuplicateKeyError('dup', null), undefined, false, 'infrastructure'],
    ['a publish the broker refused, outside the handler', new PublishRejectedError('full'), undefined, false, 'infrastructure'],
  ];
  for (const [what, error, handlerError, stopping, kind] of cases) {
    it(`${what} → ${kind}`, () => expect(classifyFailure(error, handlerError, stopping)).to.equal(kind));
  }
});

describe('a dropped connection under the handler’s own statement', () => {
  it('is the infrastructure’s when the unit of work says its connection failed, the handler’s otherwise', () => {
    const raw = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    expect(classifyFailure(raw, raw, false, true)).to.equal('infrastructure');
    expect(classifyFailure(raw, raw, false, false)).to.equal('message');
    expect(isPgConnectionFailure(raw)).to.equal(true);
    expect(isPgConnectionFailure(new Error('Connection terminated unexpectedly'))).to.equal(true);
    expect(isPgConnectionFailure(Object.assign(new Error('duplicate key'), { code: '23505' }))).to.equal(false);
    expect(isPgConnectionFailure(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }))).to.equal(true);
    expect(isMssqlConnectionFailure(Object.assign(new Error('socket hang up'), { code: 'ESOCKET' }))).to.equal(true);
    expect(isMssqlConnectionFailure(Object.assign(new Error('Violation of PRIMARY KEY'), { code: 'EREQUEST', number: 2627 }))).to.equal(false);
  });
});

describe('a server out of connections or resources under the handler’s own statement', () => {
  const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

  it('PostgreSQL: 53300 (too many connections, for the server, a role or reserved slots) and the other shared shortages are the infrastructure’s', () => {
    const starved = [
      pgError('53300', 'sorry, too many clients already'),
      pgError('53300', 'too many connections for role "app"'),
      pgError('53300', 'remaining connection slots are reserved for non-replication superuser connections'),
      pgError('53000', 'could not resize shared memory segment: No space left on device'),
      pgError('53100', 'could not extend file "base/16384/16385": No space left on device'),
      pgError('53200', 'out of memory'),
    ];
    for (const raw of starved) {
      expect(isPgConnectionFailure(raw), raw.message).to.equal(true);
      expect(classifyFailure(raw, raw, false, isPgConnectionFailure(raw)), raw.message).to.equal('infrastructure');
    }
  });

  it('PostgreSQL: a limit the statement itself passes (53400), a dropped database (57P04) and conflicts (40001, 40P01) stay the handler’s', () => {
    for (const code of ['53400', '57P04', '40001', '40P01', '54000']) {
      const raw = pgError(code, `failure ${code}`);
      expect(isPgConnectionFailure(raw), code).to.equal(false);
      if (code.startsWith('5')) expect(classifyFailure(raw, raw, false, isPgConnectionFailure(raw)), code).to.equal('message');
    }
  });

  it('SQL Server: resource governance (10928, 10929) is the infrastructure’s, on the error or its originalError', () => {
    const limit = Object.assign(new Error('Resource ID : 1. The request limit for the database is 60 and has been reached.'), { name: 'RequestError', code: 'EREQUEST', number: 10928 });
    const busy = Object.assign(new Error('The server is currently too busy to support requests greater than 30 for this database.'), { name: 'RequestError', code: 'EREQUEST', originalError: { info: { number: 10929 } } });
    const login = Object.assign(new Error('Login failed.'), { name: 'ConnectionError', code: 'ELOGIN' });
    for (const raw of [limit, busy, login]) expect(isMssqlConnectionFailure(raw), raw.message).to.equal(true);
    const deadlock = Object.assign(new Error('deadlock victim'), { name: 'RequestError', code: 'EREQUEST', number: 1205 });
    expect(isMssqlConnectionFailure(deadlock)).to.equal(false);
  });
});

describe('error kinds: the classifier reads them from the error', () => {
  it('gives every code a kind the classifier knows, and every error its code’s kind', () => {
    const known = new Set(['infrastructure', 'message', 'unreadable', 'contextual', 'crash']);
    for (const [code, kind] of Object.entries(ERROR_KINDS)) expect(known.has(kind), code).to.equal(true);
    const e = new OncebusError('ONCEBUS_LOCK_LOST', 'lost');
    expect(e.kind).to.equal('infrastructure');
    expect(classifyFailure(e, e, false)).to.equal('infrastructure');
  });
});

describe('InfrastructureFailures: an outage poisons nothing, a message failing alone does', () => {
  it('releases the first failure, then moves the message behind the others, never poisoning it while nothing succeeds (an outage)', () => {
    const f = new InfrastructureFailures();
    expect(f.failed('m', 'down')).to.deep.equal({ action: 'release' });
    for (let i = 2; i <= INFRASTRUCTURE_FAILURE_LIMIT * 3; i++) expect(f.failed('m', 'down').action).to.equal('defer');
  });

  it('poisons a message after the limit when other messages succeeded meanwhile, with its latest failures', () => {
    const f = new InfrastructureFailures();
    f.failed('m', 'e1');
    f.succeeded('other');
    for (let i = 2; i < INFRASTRUCTURE_FAILURE_LIMIT; i++) expect(f.failed('m', `e${i}`).action).to.equal('defer');
    const verdict = f.failed('m', `e${INFRASTRUCTURE_FAILURE_LIMIT}`);
    expect(verdict.action).to.equal('poison');
    if (verdict.action === 'poison') expect(verdict.errors).to.have.length(INFRASTRUCTURE_FAILURE_LIMIT);
  });

  it('starts counting afresh once the message succeeds', () => {
    const f = new InfrastructureFailures();
    for (let i = 0; i < 5; i++) f.failed('m', 'x');
    f.succeeded('m');
    expect(f.failed('m', 'x')).to.deep.equal({ action: 'release' });
  });
});
