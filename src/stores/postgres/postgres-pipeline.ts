import type pg from 'pg';
import { requireDriver } from '../../drivers/require-driver.js';
import { type Settable, settable } from '../sql/settable.js';
import { postgresParameter } from './postgres-array-literal.js';

const pgDriver = requireDriver<typeof pg>('pg', 'oncebus/postgres');

/** One statement of a pipeline: sent with its parameters; `flush` asks the server to answer it at once. */
export interface PipelineStep {
  readonly text: string;
  readonly values?: readonly unknown[];
  /** A name for a statement prepared once per connection (parsed the first time only). */
  readonly name?: string;
  readonly flush?: boolean;
  /** Its rows' values parsed as node-postgres parses a query's (by column type: bytea a Buffer, int4 a number, …), not left as text. */
  readonly typed?: boolean;
}

/** A step's outcome: its command tag (COMMIT, ROLLBACK, INSERT 0 3, …; statement by statement only its first word) and its rows, values as text. */
export interface StepResult {
  readonly command: string;
  readonly rows: Record<string, string | null>[];
  /** The rows it returned or touched (the count in its command tag), as node-postgres's rowCount. */
  readonly rowCount: number;
}

/** What node-postgres's Connection offers a submitted query (its own Query uses the same calls). */
interface WireConnection {
  readonly stream: { cork?(): void; uncork?(): void };
  readonly parsedStatements: Record<string, string>;
  readonly submittedNamedStatements: Record<string, string>;
  parse(message: { text: string; name?: string }): void;
  bind(message: { statement?: string; values: readonly unknown[]; valueMapper: (v: unknown) => unknown }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: Record<string, never>): void;
  flush(): void;
  sync(): void;
}

/**
 * Several statements in one round trip over the extended protocol, each with real parameters, answered
 * one by one: node-postgres sends one statement per round trip, and a simple query of several statements
 * takes no parameters and is answered only when the last one has run (PostgreSQL flushes its output at the
 * end of a query). A step marked `flush` is answered as soon as it has run — so a COMMIT's outcome is
 * known while the claim after it still waits on another transaction's row. An error ends the pipeline:
 * every step not answered yet rejects with it (the server skips the rest up to the Sync).
 * Submitted with `client.query(pipeline)`; node-postgres routes the server's messages to the handlers below.
 */
export class PostgresPipeline {
  /** One per step, settled by its CommandComplete (or the error that ends the pipeline). */
  readonly answers: Settable<StepResult>[];
  /** Read by node-postgres's bookkeeping of named statements: the one named step, if any. */
  readonly name: string | undefined;
  readonly text: string | undefined;
  private current = 0;
  private fields: string[] = [];
  /** The current step's column parsers, when it is typed (else values stay text). */
  private parsers: ((value: string) => unknown)[] | null = null;
  private rows: Record<string, string | null>[] = [];

  constructor(readonly steps: readonly PipelineStep[]) {
    this.answers = steps.map(() => settable<StepResult>());
    const named = steps.find((s) => s.name);
    this.name = named?.name;
    this.text = named?.text;
  }

  submit(connection: WireConnection): void {
    connection.stream.cork?.();
    try {
      for (const step of this.steps) {
        const name = step.name ?? '';
        if (!name || (connection.parsedStatements[name] === undefined && connection.submittedNamedStatements[name] === undefined)) {
          connection.parse({ text: step.text, name });
          if (name) connection.submittedNamedStatements[name] = step.text;
        }
        connection.bind({ statement: name, values: step.values ?? [], valueMapper: postgresParameter });
        connection.describe({ type: 'P', name: '' });
        connection.execute({});
        if (step.flush) connection.flush();
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
  }

  handleRowDescription(message: { fields: { name: string; dataTypeID: number }[] }): void {
    this.fields = message.fields.map((f) => f.name);
    this.parsers = this.steps[this.current]?.typed ? message.fields.map((f) => pgDriver.types.getTypeParser(f.dataTypeID, 'text') as (value: string) => unknown) : null;
  }

  handleDataRow(message: { fields: (string | null)[] }): void {
    const row: Record<string, string | null> = {};
    const parsers = this.parsers;
    for (const [i, name] of this.fields.entries()) {
      const value = message.fields[i] ?? null;
      row[name] = value === null || !parsers ? value : (parsers[i]!(value) as string);
    }
    this.rows.push(row);
  }

  handleCommandComplete(message: { text: string }): void {
    this.answers[this.current++]?.resolve({ command: message.text, rows: this.rows, rowCount: countOf(message.text) });
    this.fields = [];
    this.rows = [];
    this.parsers = null;
  }

  handleError(error: Error): void {
    for (let i = this.current; i < this.answers.length; i++) this.answers[i]!.reject(error);
    this.current = this.answers.length;
  }

  handleReadyForQuery(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}
}

/** The count at the end of a command tag ('INSERT 0 3', 'UPDATE 1', 'SELECT 2'); 0 for a tag without one (SAVEPOINT). */
function countOf(tag: string): number {
  const n = Number(tag.slice(tag.lastIndexOf(' ') + 1));
  return Number.isInteger(n) ? n : 0;
}

const PROTOCOL_METHODS = ['parse', 'bind', 'describe', 'execute', 'flush', 'sync'] as const;

/**
 * Whether the installed pg's Connection offers what `submit` drives — the protocol methods its own Query
 * uses, and its named-statement bookkeeping. pg does not document them; checked once, at load. If a pg
 * release changes them, pipelines run statement by statement through pg's public API instead (the same
 * outcomes, more round trips), and the test of this check fails, so the change is noticed.
 */
export function pgSupportsPipelines(driver: { Connection: new () => object } = pgDriver): boolean {
  const proto = driver.Connection.prototype as Record<string, unknown>;
  if (!PROTOCOL_METHODS.every((m) => typeof proto[m] === 'function')) return false;
  const connection = new driver.Connection() as Partial<WireConnection>;
  (connection as { stream?: { destroy?(): void } }).stream?.destroy?.(); // a socket never connected
  return typeof connection.parsedStatements === 'object' && typeof connection.submittedNamedStatements === 'object';
}
const PIPELINES = pgSupportsPipelines();

/** Submits a pipeline on a client (a Submittable, which pg's typings do not know beyond its shape). */
export function runPipeline(client: pg.ClientBase, steps: readonly PipelineStep[], pipelines = PIPELINES): Promise<StepResult>[] {
  if (!pipelines) return runOneByOne(client, steps);
  const pipeline = new PostgresPipeline(steps);
  client.query(pipeline as unknown as pg.QueryConfig);
  return pipeline.answers.map((a) => a.promise);
}

/** Values as the server sent them (text), as a pipeline's rows are. */
const AS_TEXT = { getTypeParser: () => (value: string) => value };

/** The same steps through pg's public API, one round trip each; an error rejects the steps not yet answered. */
function runOneByOne(client: pg.ClientBase, steps: readonly PipelineStep[]): Promise<StepResult>[] {
  const answers = steps.map(() => settable<StepResult>());
  void (async () => {
    for (let i = 0; i < steps.length; i++) {
      const { text, values, name } = steps[i]!;
      try {
        const types = steps[i]!.typed ? {} : { types: AS_TEXT };
        const result = await client.query({ text, values: values as unknown[] | undefined, ...(name ? { name } : {}), ...types } as pg.QueryConfig);
        answers[i]!.resolve({ command: result.command, rows: result.rows as Record<string, string | null>[], rowCount: result.rowCount ?? 0 });
      } catch (error) {
        for (let j = i; j < steps.length; j++) answers[j]!.reject(error);
        return;
      }
    }
  })();
  return answers.map((a) => a.promise);
}
