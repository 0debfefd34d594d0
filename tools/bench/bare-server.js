// The baseline of the agents benchmark: Fastify and pg, nothing else, doing the same
// primary-key select as GET /api/v1/agents/:id. Started by agents-get.bench.ts.
const Fastify = require('fastify');
const { Pool } = require('pg');

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.DB_POOL_MAX ?? 20),
});
const app = Fastify({ logger: false });

app.get('/agents/:id', async (request, reply) => {
  const { rows } = await pool.query('SELECT * FROM agents WHERE id = $1', [request.params.id]);
  if (rows.length === 0) return reply.code(404).send({ status: 404 });
  return rows[0];
});

app
  .listen({ port: Number(process.env.PORT), host: '127.0.0.1' })
  .then(() => process.stdout.write('ready\n'));
process.on('SIGTERM', () =>
  app
    .close()
    .then(() => pool.end())
    .then(() => process.exit(0)),
);
