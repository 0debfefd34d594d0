// The baseline of the agents benchmarks: Fastify and pg, nothing else, doing the same
// primary-key select as GET /api/v1/agents/:id (agents-get.bench.ts) and the same page of a
// project's agents with its total as GET /api/v1/agents?project_id= (agents-list.bench.ts).
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

app.get('/agents', async (request) => {
  const { project_id: projectId } = request.query;
  const limit = Number(request.query.limit ?? 50);
  const offset = Number(request.query.offset ?? 0);
  const { rows } = await pool.query(
    `SELECT *, (SELECT count(*) FROM agents WHERE project_id = $1) AS total_count FROM agents
     WHERE project_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
    [projectId, limit, offset],
  );
  const total = rows.length > 0 ? Number(rows[0].total_count) : 0;
  return { items: rows.map(({ total_count: _total, ...row }) => row), total, limit, offset };
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
