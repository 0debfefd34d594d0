import { EventType } from '@mikro-orm/core';
import type {
  Configuration,
  IsolationLevel,
  LogContext,
  TransactionEventBroadcaster,
} from '@mikro-orm/core';
import { PostgreSqlConnection, PostgreSqlDriver } from '@mikro-orm/postgresql';
import type { Knex, PostgreSqlPlatform } from '@mikro-orm/postgresql';

/** The part of a node-postgres client of the pool a transaction runs its own statements on. */
interface PgConnection {
  query(text: string): Promise<{ command?: string } | undefined>;
}

/** The part of knex's client that lends the pool's connections. */
interface PoolClient {
  acquireConnection(): Promise<PgConnection>;
  releaseConnection(connection: PgConnection): Promise<void>;
}

export interface TransactionOptions {
  isolationLevel?: IsolationLevel;
  readOnly?: boolean;
}

/** Thrown on a statement, a commit or a savepoint of a transaction that has already ended. */
export class TransactionCompletedError extends Error {
  constructor() {
    super('the transaction has already been committed or rolled back');
    this.name = 'TransactionCompletedError';
  }
}

/**
 * A transaction on one connection of knex's pool, or a savepoint in one (`parent` set): what
 * MikroORM's transactions run on in this product (every `em.transactional()`, the request
 * transaction, a unit of work's implicit one), in place of knex's transaction object.
 *
 * Why: knex builds, per transaction, a Transaction (an EventEmitter with two promise chains),
 * a client object with four event relays, and a whole knex instance for it (`makeKnex`, which
 * redefines a few dozen properties), and sends BEGIN and COMMIT through its query machinery.
 * transaction.bench.ts measured 0.3–0.45 ms of API CPU per transaction for that, against a
 * transaction sent by hand on a connection of the same pool; a claim → complete costs two
 * transactions, a message three. This is the by-hand way, in the shape MikroORM and knex take
 * as a transaction: `client` is what knex's `transacting()` and {@link PreparedStatements}
 * run statements on (the pool's client, lending always this connection and never returning it
 * to the pool), and `commit()`/`rollback()` end it.
 *
 * What stays as knex had it: the same statements (MikroORM's platform writes BEGIN, COMMIT,
 * ROLLBACK and the savepoints, with the isolation level and READ ONLY when asked), on one
 * connection held from BEGIN to COMMIT or ROLLBACK and then returned to the pool; a statement
 * after the end is refused ({@link TransactionCompletedError}) instead of running outside the
 * transaction on a connection the pool has lent to someone else. One thing is stricter: a
 * COMMIT that PostgreSQL answers with ROLLBACK (the transaction had failed, and a caller
 * caught the statement's error and went on) is an error here, not a success, so nothing
 * rolled back is acknowledged as committed.
 */
export class PooledTransaction {
  /** knex's `transacting()` takes a transaction by this: `client.transacting` and the client to run on. */
  readonly client: PoolClient & { transacting: true };
  /** Settled once `commit()` has run; MikroORM awaits it after calling `commit()`. */
  executionPromise: Promise<unknown> = Promise.resolve();
  private completed = false;
  /** Savepoints opened in this transaction so far (they are named by it; the root's count). */
  private savepoints = 0;

  private constructor(
    private readonly pool: PoolClient,
    private readonly connection: PgConnection,
    private readonly platform: PostgreSqlPlatform,
    readonly parent: PooledTransaction | null,
    readonly savepointName: string | null,
  ) {
    const isCompleted = () => this.isCompleted();
    this.client = Object.create(pool, {
      transacting: { value: true },
      acquireConnection: {
        value: async () => {
          if (isCompleted()) throw new TransactionCompletedError();
          return connection;
        },
      },
      releaseConnection: { value: async () => undefined },
    }) as PoolClient & { transacting: true };
  }

  /** Takes a connection of the pool and begins a transaction on it. */
  static async begin(
    pool: PoolClient,
    platform: PostgreSqlPlatform,
    options: TransactionOptions = {},
  ): Promise<PooledTransaction> {
    const connection = await pool.acquireConnection();
    try {
      for (const sql of platform.getBeginTransactionSQL(options)) await connection.query(sql);
    } catch (error) {
      await pool.releaseConnection(connection);
      throw error;
    }
    return new PooledTransaction(pool, connection, platform, null, null);
  }

  private get root(): PooledTransaction {
    return this.parent?.root ?? this;
  }

  isCompleted(): boolean {
    return this.completed || (this.parent?.isCompleted() ?? false);
  }

  /** A savepoint in this transaction, ended by its own `commit()` (RELEASE) or `rollback()`. */
  async savepoint(): Promise<PooledTransaction> {
    if (this.isCompleted()) throw new TransactionCompletedError();
    const name = `trx${++this.root.savepoints}`;
    await this.connection.query(this.platform.getSavepointSQL(name));
    return new PooledTransaction(this.pool, this.connection, this.platform, this, name);
  }

  /** COMMIT (RELEASE SAVEPOINT for a savepoint), resolving to the SQL sent. Refused once the transaction has ended. */
  commit(): Promise<string> {
    const ended = this.end(
      this.savepointName === null
        ? this.platform.getCommitTransactionSQL()
        : this.platform.getReleaseSavepointSQL(this.savepointName),
      true,
    );
    this.executionPromise = ended;
    return ended;
  }

  /**
   * ROLLBACK (ROLLBACK TO SAVEPOINT for a savepoint). Nothing to do once the transaction has
   * ended (resolving to null then, else to the SQL sent): MikroORM rolls back after a failed
   * commit, which has ended it already.
   */
  async rollback(): Promise<string | null> {
    if (this.isCompleted()) return null;
    return this.end(
      this.savepointName === null
        ? this.platform.getRollbackTransactionSQL()
        : this.platform.getRollbackToSavepointSQL(this.savepointName),
      false,
    );
  }

  private async end(sql: string, commit: boolean): Promise<string> {
    if (this.isCompleted()) throw new TransactionCompletedError();
    this.completed = true;
    try {
      const result = await this.connection.query(sql);
      if (commit && this.parent === null && result?.command === 'ROLLBACK')
        throw new Error('the transaction had failed and was rolled back, not committed');
      return sql;
    } finally {
      // The root holds the connection; a savepoint's end leaves it with the transaction.
      if (this.parent === null) await this.pool.releaseConnection(this.connection);
    }
  }
}

/**
 * MikroORM's PostgreSQL connection with its transactions on {@link PooledTransaction}:
 * `begin`, `commit` and `rollback` are the three places MikroORM starts and ends one (its
 * `transactional()`, the entity manager's and the unit of work's all come here). The events
 * MikroORM dispatches around them, and the queries it logs, stay as its own code has them. A
 * transaction handed in from elsewhere (a knex one) goes the knex way, as before.
 */
export class PooledTransactionConnection extends PostgreSqlConnection {
  override async begin(
    options: TransactionOptions & {
      ctx?: Knex.Transaction;
      eventBroadcaster?: TransactionEventBroadcaster;
      loggerContext?: LogContext;
    } = {},
  ): Promise<Knex.Transaction> {
    const outer = options.ctx as unknown;
    if (outer !== undefined && !(outer instanceof PooledTransaction)) return super.begin(options);
    if (!outer) await options.eventBroadcaster?.dispatchEvent(EventType.beforeTransactionStart);
    const platform = this.platform as PostgreSqlPlatform;
    const trx = outer
      ? await outer.savepoint()
      : await PooledTransaction.begin(this.getKnex().client as PoolClient, platform, options);
    this.logQuery(
      trx.savepointName === null
        ? platform.getBeginTransactionSQL(options).join('; ')
        : platform.getSavepointSQL(trx.savepointName),
      options.loggerContext,
    );
    const ctx = trx as unknown as Knex.Transaction;
    if (!outer) await options.eventBroadcaster?.dispatchEvent(EventType.afterTransactionStart, ctx);
    return ctx;
  }

  override async commit(
    ctx: Knex.Transaction,
    eventBroadcaster?: TransactionEventBroadcaster,
    loggerContext?: LogContext,
  ): Promise<void> {
    const trx = ctx as unknown;
    if (!(trx instanceof PooledTransaction))
      return super.commit(ctx, eventBroadcaster, loggerContext);
    const root = trx.parent === null;
    if (root) await eventBroadcaster?.dispatchEvent(EventType.beforeTransactionCommit, ctx);
    this.logQuery(await trx.commit(), loggerContext);
    if (root) await eventBroadcaster?.dispatchEvent(EventType.afterTransactionCommit, ctx);
  }

  override async rollback(
    ctx: Knex.Transaction,
    eventBroadcaster?: TransactionEventBroadcaster,
    loggerContext?: LogContext,
  ): Promise<void> {
    const trx = ctx as unknown;
    if (!(trx instanceof PooledTransaction))
      return super.rollback(ctx, eventBroadcaster, loggerContext);
    const root = trx.parent === null;
    if (root) await eventBroadcaster?.dispatchEvent(EventType.beforeTransactionRollback, ctx);
    const sent = await trx.rollback();
    if (sent) this.logQuery(sent, loggerContext);
    if (root) await eventBroadcaster?.dispatchEvent(EventType.afterTransactionRollback, ctx);
  }
}

/** MikroORM's PostgreSQL driver on a {@link PooledTransactionConnection}. */
export class AgentHubPostgreSqlDriver extends PostgreSqlDriver {
  constructor(config: Configuration) {
    super(config);
    (this as unknown as { connection: PooledTransactionConnection }).connection =
      new PooledTransactionConnection(this.config);
  }
}
