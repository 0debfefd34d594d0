import type { Client, QueryConfig, QueryResult } from 'pg';
import { Query } from 'pg';

/** node-postgres' own mapping of a JS value to a parameter (what `query` does; untyped upstream). */
const { prepareValue } = require('pg/lib/utils') as { prepareValue(value: unknown): unknown };

/**
 * Marks a statement whose rows nobody reads and whose failure may fail the transaction it is
 * part of: an append-only write (an event, the audit row, a performance point). Inside a
 * transaction, a connection with the pipeline installed answers it at once and sends it with
 * the transaction's next statement (at the latest its COMMIT); see {@link installStatementPipeline}.
 * The value converts the statement's error (as its own call would have), for whichever
 * statement it then fails.
 */
export const DEFERRABLE = Symbol('agenthub.deferrable');

export type ErrorConverter = (error: Error) => Error;

type Callback = (error: Error | null, result?: QueryResult) => void;
type Config = QueryConfig & { [DEFERRABLE]?: ErrorConverter; submit?: unknown; rows?: number };

/** The parts of node-postgres' Connection a batch talks to (not in its typings). */
interface Wire {
  stream: { cork?: () => void; uncork?: () => void };
  parsedStatements: Record<string, string>;
  submittedNamedStatements: Record<string, string>;
  sync(): void;
  sendCopyFail(message: string): void;
  on(event: 'parseComplete', listener: () => void): void;
}

/** node-postgres' Query with the members a batch drives (not in its typings). */
interface PgQuery {
  text: string;
  name?: string;
  values?: unknown[];
  callback?: Callback;
  prepare(connection: Wire): void;
  handleRowDescription(message: unknown): void;
  handleDataRow(message: unknown): void;
  handleCommandComplete(message: unknown, connection: Wire): void;
  handleError(error: Error, connection: Wire): void;
  handleReadyForQuery(connection: Wire): void;
}

const BEGIN = /^\s*(begin|start\s+transaction)\b/i;
const COMMIT = /^\s*(commit|end)\b/i;
/** A ROLLBACK of the whole transaction (not `ROLLBACK TO SAVEPOINT`). */
const ROLLBACK = /^\s*(rollback|abort)\s*(;\s*)?$/i;
const SAVEPOINT = /^\s*savepoint\b/i;
const SAVEPOINT_END = /^\s*(release|rollback\s+to)\b/i;

/**
 * Several statements in one message to PostgreSQL, ended by one Sync: one write from us, one
 * flush of all the answers from the server, where one statement at a time costs a round trip
 * each. node-postgres runs it as one "query" (a Submittable): it hands the protocol messages
 * here, and each goes to the statement it answers, in order. PostgreSQL runs the statements
 * one after the other; after a failed one it skips the rest up to the Sync, so every later
 * statement fails with the first one's error. (Inside a transaction that transaction is then
 * aborted, as it would be had they gone one by one.)
 */
class StatementBatch {
  private current = 0;
  /** How many of the statements' Parse messages the server has confirmed. */
  private parsed = 0;
  private readonly parsing: PgQuery[] = [];

  constructor(
    private readonly statements: PgQuery[],
    /** When it goes out: from then on the connection's ParseComplete messages are its own. */
    private readonly onSubmit: (batch: StatementBatch) => void,
    /** Called with the first error and the index of the statement it is from, or with null once all succeeded. */
    private readonly done: (error: Error | null, failed?: number) => void,
  ) {}

  submit(connection: Wire): Error | null {
    try {
      // Every value is mapped before anything is written, so a value node-postgres cannot
      // send fails the whole batch instead of leaving its statements half sent.
      for (const statement of this.statements)
        statement.values = statement.values?.map((value) => prepareValue(value));
    } catch (error) {
      return error as Error;
    }
    this.onSubmit(this);
    // One Sync for the whole batch: each statement's own is left out.
    const withoutSync = Object.create(connection, { sync: { value: () => undefined } }) as Wire;
    connection.stream.cork?.();
    try {
      for (const statement of this.statements) {
        // (Asked one by one: the same named statement twice in a batch is parsed once.)
        if (!statement.name || !this.isKnown(connection, statement.name))
          this.parsing.push(statement);
        statement.prepare(withoutSync);
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  /** The server confirmed the next Parse of this batch. */
  parseComplete(connection: Wire): void {
    const statement = this.parsing[this.parsed++];
    if (statement?.name) {
      connection.parsedStatements[statement.name] = statement.text;
      delete connection.submittedNamedStatements[statement.name];
    }
  }

  handleRowDescription(message: unknown): void {
    this.statements[this.current]?.handleRowDescription(message);
  }

  handleDataRow(message: unknown): void {
    this.statements[this.current]?.handleDataRow(message);
  }

  handleCommandComplete(message: unknown, connection: Wire): void {
    this.statements[this.current++]?.handleCommandComplete(message, connection);
  }

  handleEmptyQuery(): void {
    this.current++;
  }

  handlePortalSuspended(): void {
    // (No statement of a batch asks for rows page by page.)
  }

  handleCopyInResponse(connection: Wire): void {
    connection.sendCopyFail('COPY is not supported in a statement batch');
  }

  handleCopyData(): void {
    // (Never sent: COPY is refused above.)
  }

  /** The first failure: the server skips the rest of the batch, so this is the batch's end. */
  handleError(error: Error, connection: Wire): void {
    // Statements whose Parse the server did not confirm were never prepared.
    for (const statement of this.parsing.slice(this.parsed))
      if (statement.name) delete connection.submittedNamedStatements[statement.name];
    this.done(error, this.current);
  }

  handleReadyForQuery(connection: Wire): void {
    for (const statement of this.statements) statement.handleReadyForQuery(connection);
    this.done(null);
  }

  private isKnown(connection: Wire, name: string): boolean {
    return (
      connection.parsedStatements[name] !== undefined ||
      connection.submittedNamedStatements[name] !== undefined
    );
  }
}

/** What one pooled connection holds back until its transaction's next statement. */
interface Held {
  /** The BEGIN of a transaction that has sent nothing else yet. */
  begin: Config | null;
  /** Deferrable statements of the open transaction, in order. */
  deferred: Config[];
  /** Open savepoints: statements are deferred only outside them (see below). */
  savepoints: number;
}

const answer = (command: string): QueryResult => ({
  command,
  rowCount: null,
  oid: 0,
  rows: [],
  fields: [],
});

/**
 * Fewer round trips per transaction on one node-postgres connection of the pool, with the
 * same statements in the same order: a transaction's BEGIN is held back and sent in one
 * message with its first statement, and its deferrable statements ({@link DEFERRABLE}: the
 * event, audit and performance rows) are answered at once and sent in one message with the
 * statement that follows them, usually the COMMIT. A request that changes a task then costs
 * two round trips (BEGIN + the change, then the appends + COMMIT) instead of five or six.
 *
 * What stays as it was: PostgreSQL sees exactly the statements it saw before, in the same
 * order and in the same transaction, so every constraint, lock and trigger acts as before; a
 * COMMIT is answered only once PostgreSQL has committed; a deferred statement that fails
 * fails the statement it travelled with (with its own error), and at COMMIT the transaction
 * is rolled back and the COMMIT fails with that error, so nothing that failed is
 * acknowledged. What changes: a deferred statement's error surfaces at the transaction's next
 * statement instead of its own call, which is why only appends whose failure should fail the
 * transaction are deferrable, and why none is deferred inside a savepoint (a caller that
 * catches its nested transaction's failure must see it there). A transaction that sent
 * nothing costs nothing: its BEGIN and COMMIT (or ROLLBACK) are both answered here.
 *
 * Installed on each connection the pool creates (createOrmOptions' `afterCreate`), around
 * `client.query`, the one entry point knex and {@link PreparedStatements} use.
 */
export function installStatementPipeline(client: Client): void {
  const send = client.query.bind(client) as (config: unknown, callback?: Callback) => unknown;
  const held: Held = { begin: null, deferred: [], savepoints: 0 };
  /** The batch on the wire (node-postgres sends one query at a time). */
  let active: StatementBatch | null = null;
  const wire = (client as unknown as { connection: Wire }).connection;
  wire.on('parseComplete', () => active?.parseComplete(wire));
  const status = () =>
    (client as unknown as { getTransactionStatus(): string | null }).getTransactionStatus();
  const inTransaction = () => held.begin !== null || status() === 'T';

  /** Sends what is held and `config` in one message (`config` after it, when it cannot travel in one). */
  function flush(config: Config, callback: Callback): void {
    const travels = composable(config);
    const parts = [
      ...(held.begin ? [held.begin] : []),
      ...held.deferred,
      ...(travels ? [config] : []),
    ];
    held.begin = null;
    held.deferred = [];
    // (Extended protocol for all, BEGIN and COMMIT too: a simple query carries its own Sync.)
    const statements = parts.map(
      (part) => new Query({ ...part, queryMode: 'extended' } as QueryConfig) as unknown as PgQuery,
    );
    let outcome: { error: Error | null; result?: QueryResult } = { error: null };
    const main = travels ? statements[statements.length - 1] : null;
    for (const statement of statements)
      statement.callback =
        statement === main
          ? (error, result) => void (outcome = { error, result })
          : () => undefined;
    const finish = (error: Error | null, failed?: number) => {
      active = null;
      const convert = failed === undefined ? undefined : parts[failed]?.[DEFERRABLE];
      const failure = error ? (convert ? convert(error) : error) : outcome.error;
      if (failure) return fail(config, failure, callback);
      if (!travels) return void send(config, callback);
      callback(null, outcome.result);
    };
    void send(new StatementBatch(statements, (batch) => (active = batch), finish));
  }

  /**
   * A batch failed. When it ended in COMMIT, PostgreSQL skipped the COMMIT and the
   * transaction is aborted: it is rolled back before the COMMIT fails, so the connection goes
   * back to the pool clean.
   */
  function fail(config: Config, error: Error, callback: Callback): void {
    if (COMMIT.test(config.text)) return void send('ROLLBACK', () => callback(error));
    callback(error);
  }

  function query(config: Config, callback: Callback): void {
    const text = typeof config.text === 'string' ? config.text : '';
    if (typeof config.submit === 'function') {
      if (held.begin || held.deferred.length > 0) return flush(config, callback);
      return void send(config, callback);
    }
    const ends = COMMIT.test(text) || ROLLBACK.test(text);
    if (BEGIN.test(text) && !config.values?.length && !inTransaction()) {
      held.begin = config;
      return void process.nextTick(callback, null, answer('BEGIN'));
    }
    if (config[DEFERRABLE] && inTransaction() && held.savepoints === 0) {
      held.deferred.push(config);
      return void process.nextTick(callback, null, answer('INSERT'));
    }
    if (SAVEPOINT.test(text)) held.savepoints++;
    if (SAVEPOINT_END.test(text)) held.savepoints = Math.max(0, held.savepoints - 1);
    if (ends) held.savepoints = 0;
    if (ROLLBACK.test(text)) held.deferred = [];
    if (ends && held.begin && held.deferred.length === 0) {
      // The transaction sent nothing: nothing to commit or roll back.
      held.begin = null;
      return void process.nextTick(
        callback,
        null,
        answer(COMMIT.test(text) ? 'COMMIT' : 'ROLLBACK'),
      );
    }
    if (held.begin || held.deferred.length > 0) return flush(config, callback);
    void send(config, callback);
  }

  (client as unknown as { query: unknown }).query = (
    config: string | Config,
    values?: unknown[] | Callback,
    callback?: Callback,
  ): unknown => {
    const normalized: Config =
      typeof config === 'string'
        ? { text: config, ...(Array.isArray(values) ? { values } : {}) }
        : config;
    const done = typeof values === 'function' ? values : callback;
    if (done) return void query(normalized, done);
    return new Promise<QueryResult | undefined>((resolve, reject) =>
      query(normalized, (error, result) => (error ? reject(error) : resolve(result))),
    );
  };
}

/**
 * Whether a statement can travel in a batch: one statement (the extended protocol takes no
 * `;`-separated list), no cursor, no rows page by page. Others are sent after the batch.
 */
function composable(config: Config): boolean {
  if (typeof config.submit === 'function' || config.rows !== undefined) return false;
  const text = config.text.trim().replace(/;$/, '');
  return !text.includes(';');
}
