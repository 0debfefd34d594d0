/**
 * What one database transaction costs the API process in CPU: through MikroORM, as every
 * request transaction and every service's own runs (`em.transactional()` in a request
 * context), against the same transaction sent by hand on a connection of the same pool.
 *
 *   node -r ./tools/register-ts.js tools/bench/transaction.bench.ts [--transactions 4000] [--rounds 5] [--concurrency 4]
 *
 * Opens MikroORM on a fresh database (DATABASE_URL's server when set, else an embedded
 * PostgreSQL under tmp/bench-postgres) with the API's own options (createOrmOptions: the same
 * pool, whose connections carry the statement pipeline, so BEGIN travels with the first
 * statement either way). Each transaction runs one statement, `SELECT 1`, as the hot paths run
 * theirs (PreparedStatements: a named statement on the transaction's connection), then
 * commits; --concurrency of them in flight. The two ways take turns, --rounds times
 * --transactions each after a warm-up, and the CPU of this process per transaction
 * (user + system, /proc's view through process.cpuUsage()) is taken per round; the median of
 * the rounds is the figure. The difference is what the ORM's transaction machinery costs
 * (the fork, the transaction context, and the PooledTransaction it runs on, which replaced
 * knex's transactor objects and its BEGIN and COMMIT through knex's query runner): a
 * claim → complete has two such transactions, a message three.
 * Under `npm run bench` it hands the runner both medians and their ratio (no aim: the figure
 * says what a thinner transaction path could save per transaction).
 * A script for people, not a test: never run in CI.
 */
import { parseArgs } from 'node:util';
import { RequestContext } from '@mikro-orm/core';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { createOrmOptions } from '@agenthub/database';
import { benchDatabase, compared, formatTable, log, reportFigures, runBench } from './harness';

const { values: opts } = parseArgs({
  options: {
    transactions: { type: 'string', default: '4000' },
    rounds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '4' },
    json: { type: 'boolean', default: false },
  },
});
const TRANSACTIONS = Number(opts.transactions);
const ROUNDS = Number(opts.rounds);
const CONCURRENCY = Number(opts.concurrency);
/** Unmeasured transactions before each round's measured ones. */
const WARMUP = 300;

/** A connection of the pool as PreparedStatements uses it. */
interface Connection {
  query(config: { name: string; text: string; values: unknown[] }): Promise<unknown>;
}
interface KnexClient {
  acquireConnection(): Promise<Connection>;
  releaseConnection(connection: Connection): Promise<void>;
}

const ONE = { name: 'bench_select_one', text: 'SELECT 1', values: [] };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** µs of this process's CPU per call of `step`, `count` calls with CONCURRENCY in flight. */
async function cpuPerCall(count: number, step: () => Promise<unknown>): Promise<number> {
  let started = 0;
  const before = process.cpuUsage();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (started++ < count) await step();
    }),
  );
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}

runBench(async (defer) => {
  const url = await benchDatabase(defer, 'transaction');
  const orm = await MikroORM.init(createOrmOptions({ url, entities: [], poolMax: CONCURRENCY }));
  defer(() => orm.close());

  // The way every transaction of the API runs: a unit of work of its own, em.transactional(),
  // the statement on the transaction's connection (PreparedStatements.run).
  const throughOrm = () =>
    RequestContext.create(orm.em, () =>
      orm.em.transactional(async (em) => {
        const trx = (em as EntityManager).getTransactionContext<{ client: KnexClient }>();
        if (!trx) throw new Error('no transaction context inside em.transactional()');
        await (await trx.client.acquireConnection()).query(ONE);
      }),
    );
  // The same statements by hand, on a connection of the same pool.
  const pool = (orm.em as EntityManager).getKnex().client as KnexClient;
  const byHand = async () => {
    const connection = (await pool.acquireConnection()) as Connection & {
      query(text: string): Promise<unknown>;
    };
    try {
      await connection.query('BEGIN');
      await connection.query(ONE);
      await connection.query('COMMIT');
    } finally {
      await pool.releaseConnection(connection);
    }
  };

  const ways = [
    { label: 'MikroORM em.transactional()', step: throughOrm, rounds: [] as number[] },
    { label: 'by hand on a pooled connection', step: byHand, rounds: [] as number[] },
  ];
  log(
    `${ROUNDS} rounds of ${TRANSACTIONS} transactions each way, ${CONCURRENCY} in flight, in turn`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const way of ways) {
      await cpuPerCall(WARMUP, way.step);
      way.rounds.push(await cpuPerCall(TRANSACTIONS, way.step));
    }
  }
  const [ormWay, handWay] = ways.map((w) => ({ ...w, median: median(w.rounds) }));
  reportFigures('transaction', [
    compared(
      'CPU per transaction (one statement), MikroORM',
      'µs',
      ormWay.median,
      'by hand on a connection of the same pool',
      handWay.median,
      { lowerIsBetter: true },
    ),
    {
      figure: 'MikroORM transaction overhead (the difference)',
      value: ormWay.median - handWay.median,
      unit: 'µs',
    },
  ]);
  const summary = {
    transactions: TRANSACTIONS,
    rounds: ROUNDS,
    concurrency: CONCURRENCY,
    node: process.version,
    results: [ormWay, handWay].map((w) => ({
      label: w.label,
      cpuMicrosPerTransaction: w.median,
      rounds: w.rounds,
    })),
    overheadMicros: ormWay.median - handWay.median,
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  const out = [
    `one transaction, SELECT 1 then COMMIT — ${ROUNDS} rounds of ${TRANSACTIONS}, ${CONCURRENCY} in flight, node ${process.version}`,
    ...formatTable(
      ['', 'CPU per transaction (median)', 'rounds'],
      [ormWay, handWay].map((w) => [
        w.label,
        `${w.median.toFixed(0)} µs`,
        w.rounds.map((r) => r.toFixed(0)).join(' '),
      ]),
    ),
    `MikroORM's transaction machinery: ${(ormWay.median - handWay.median).toFixed(0)} µs of CPU per transaction (${(ormWay.median / handWay.median).toFixed(2)}× the transaction by hand)`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
});
