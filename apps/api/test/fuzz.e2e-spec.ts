import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { Client } from 'pg';
import { createRoom, createTask, createWorkflow } from '@agenthub/testing';
import { ActorName, headersOf, useWorld } from './world';

/*
 * Every operation of the OpenAPI document, as the owner, another user and an agent key: a
 * valid-looking request with one body field, query value or path parameter swapped for a
 * hostile value (or the body itself broken). The API must never answer 5xx, every 4xx must be
 * a problem+json whose `status` is the HTTP status and whose `code` the document lists for
 * that status of that operation, a refused change must leave every row as it was, and the
 * server must be ready afterwards. `FUZZ_RUNS` (runs per operation and
 * caller) and `FUZZ_SEED` make it longer or replay one run; `npm run fuzz` sets both.
 */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 3);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261201);
const FUZZ_ACTORS: ActorName[] = ['owner', 'otherUser', 'agentKey'];
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minimum?: number;
  minLength?: number;
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  default?: unknown;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  operationId?: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
}
interface Document {
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  components?: { schemas?: Record<string, Schema> };
}
interface Op {
  name: string;
  method: string;
  path: string;
  operation: Operation;
}

/** Where a hostile value goes, or how the body is broken. */
type Target =
  | { kind: 'body' | 'query' | 'path'; field: string }
  | { kind: 'invalidJson' | 'wrongContentType' | 'protoKey' };

const LONG = 'x'.repeat(200_000);
const nested = (depth: number): unknown => {
  let value: unknown = 'deep';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
};
const hostile = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\u0001\u0007\u001b[31m\u007f',
    '\r\n\t',
    '\ud800',
    'x\udfffy',
    LONG,
    '',
    ' ',
    1e308,
    -1,
    -(2 ** 63),
    2 ** 63,
    Number.MAX_SAFE_INTEGER + 2,
    0.5,
    0,
    true,
    null,
    [],
    {},
    [[[[]]]],
    nested(500),
    nested(20_000),
    '2026-13-45T99:99:99Z',
    'not-a-date',
    '0000-00-00T00:00:00Z',
    '00000000-0000-0000-0000-000000000000',
    'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
    '123e4567-e89b-12d3-a456-4266141740001',
    '123e4567-e89b-12d3-a456-426614174000'.repeat(40),
    '../../etc/passwd',
    "' OR 1=1 --",
    '%00',
    '__proto__',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.double(),
  fc.integer(),
  fc.jsonValue({ maxDepth: 3 }),
);

describe('fuzz: every operation with hostile input', () => {
  const world = useWorld();
  let ops: Op[];
  let doc: Document;
  const ids: Record<string, string> = {};
  let fingerprint: Fingerprint;
  let requests = 0;
  let started = 0;

  beforeAll(async () => {
    const [task, room, workflow] = await Promise.all([
      createTask(world.t, world.owner, world.p1),
      createRoom(world.t, world.owner, world.p1),
      createWorkflow(world.t, world.owner, world.p1, { status: 'active' }),
    ]);
    const execution = await inject(
      { method: 'POST', url: `/api/v1/workflows/${workflow.id}/executions`, payload: {} },
      'owner',
    );
    const keys = await inject(
      { method: 'GET', url: `/api/v1/agents/${world.a1}/api-keys` },
      'owner',
    );
    const participants = await inject(
      { method: 'GET', url: `/api/v1/rooms/${room.id}/participants` },
      'owner',
    );
    Object.assign(ids, {
      tasks: task.id,
      rooms: room.id,
      workflows: workflow.id,
      workflow_id: workflow.id,
      'workflow-executions': execution.json().id,
      agents: world.a1,
      projects: world.p1,
      key_id: keys.json().items[0].id,
      participant_id: participants.json().items[0]?.id ?? world.a1,
    });
    doc = (await inject({ method: 'GET', url: '/docs/json' }, 'owner')).json();
    ops = Object.entries(doc.paths).flatMap(([path, item]) =>
      // A stream (server-sent events) that accepts the request never ends, so an injected
      // request would never come back: its refusals are pinned in events-visibility.e2e-spec.ts.
      METHODS.filter(
        (m) => item[m] && !item[m]?.responses?.['200']?.content?.['text/event-stream'],
      ).map((method) => ({
        name: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        operation: item[method] as Operation,
      })),
    );
    fingerprint = new Fingerprint();
    await fingerprint.open(world.db.url);
    started = Date.now();
  }, 30_000);

  afterAll(() => {
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(
      `fuzz: ${requests} requests in ${seconds.toFixed(1)} s (${(requests / seconds).toFixed(0)}/s), ` +
        `FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}, ${ops?.length ?? 0} operations\n`,
    );
  });

  /** Straight to Fastify: this test checks the refusals against the document itself. */
  function inject(options: InjectOptions, actor: ActorName): Promise<LightMyRequestResponse> {
    requests++;
    return world.t.app
      .getHttpAdapter()
      .getInstance()
      .inject({ ...options, headers: { ...headersOf(world, actor), ...options.headers } });
  }

  it('covers the whole document', () => {
    expect(ops.length).toBeGreaterThan(30);
  });

  it(
    'answers every hostile request without a 5xx, with problem+json, changing nothing when refusing',
    async () => {
      try {
        for (const op of ops) {
          for (const actor of FUZZ_ACTORS) {
            const targets = targetsOf(op);
            await fc.assert(
              fc.asyncProperty(fc.constantFrom(...targets), hostile, async (target, value) => {
                const request = build(op, target, value);
                const mutating = op.method !== 'GET';
                const before = mutating ? await fingerprint.take() : undefined;
                const res = await inject(request, actor);
                const where = `${request.method} ${String(request.url).slice(0, 200)} as ${actor}`;
                expect({ where, status: res.statusCode < 500 ? 'not 5xx' : res.body }).toEqual({
                  where,
                  status: 'not 5xx',
                });
                if (res.statusCode >= 400) {
                  expect({ where, type: res.headers['content-type'] }).toEqual({
                    where,
                    type: expect.stringContaining('application/problem+json'),
                  });
                  expect({ where, status: res.json().status }).toEqual({
                    where,
                    status: res.statusCode,
                  });
                  // The refusal is one the document lists: its status, and its code among
                  // those the status and the route name.
                  const code = res.json().code as string;
                  expect({ where, code, documented: documentedCodes(op, res.statusCode) }).toEqual({
                    where,
                    code,
                    documented: expect.arrayContaining([code]),
                  });
                  if (before !== undefined)
                    expect({ where, rows: await fingerprint.take() }).toEqual({
                      where,
                      rows: before,
                    });
                }
              }),
              { numRuns: RUNS, seed: SEED, endOnFailure: true },
            );
          }
        }
      } finally {
        // Before the world's database is dropped (its afterAll runs before any of this block's).
        await fingerprint.close();
      }
      const ready = await inject({ method: 'GET', url: '/health/ready' }, 'owner');
      expect(ready.statusCode).toBe(200);
    },
    60_000 + RUNS * 60_000,
  );

  /** The codes the document lists for the operation's answer with `status` (none: undocumented). */
  function documentedCodes(op: Op, status: number): string[] {
    const described = op.operation.responses?.[String(status)];
    return [
      ...(described?.description ?? '').matchAll(/`([A-Z][A-Z0-9_]*(?:\.[A-Z0-9_]+)+)`/g),
    ].map((m) => m[1]);
  }

  /** What can be swapped in this operation. */
  function targetsOf(op: Op): Target[] {
    const params = op.operation.parameters ?? [];
    const body = bodySchema(op);
    const props = Object.keys(resolve(body ?? {}).properties ?? {});
    return [
      ...params
        .filter((p) => p.in === 'path' || p.in === 'query')
        .map((p) => ({ kind: p.in as 'path' | 'query', field: p.name })),
      ...props.map((field) => ({ kind: 'body' as const, field })),
      ...(body
        ? [
            { kind: 'invalidJson' as const },
            { kind: 'wrongContentType' as const },
            { kind: 'protoKey' as const },
          ]
        : []),
      // An operation without inputs still gets a stray query value.
      ...(params.length === 0 && !body ? [{ kind: 'query' as const, field: 'q' }] : []),
    ];
  }

  function bodySchema(op: Op): Schema | undefined {
    return op.operation.requestBody?.content?.['application/json']?.schema;
  }

  function resolve(schema: Schema): Schema {
    if (schema.$ref)
      return resolve(doc.components?.schemas?.[schema.$ref.split('/').pop() as string] ?? {});
    if (schema.allOf?.length) {
      return schema.allOf.map(resolve).reduce((a, b) => ({
        ...a,
        ...b,
        properties: { ...a.properties, ...b.properties },
        required: [...(a.required ?? []), ...(b.required ?? [])],
      }));
    }
    return schema;
  }

  /** A value the schema accepts, as far as a generic reading of it goes. */
  function sample(schema: Schema, name: string): unknown {
    const s = resolve(schema);
    if (s.oneOf?.length || s.anyOf?.length) return sample((s.oneOf ?? s.anyOf)![0], name);
    if (s.default !== undefined) return s.default;
    if (s.enum?.length) return s.enum[0];
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
    switch (type) {
      case 'integer':
      case 'number':
        return s.minimum ?? 1;
      case 'boolean':
        return false;
      case 'array':
        return [];
      case 'object':
        return Object.fromEntries(
          (s.required ?? []).map((key) => [key, sample(s.properties?.[key] ?? {}, key)]),
        );
      default:
        if (s.format === 'uuid') return idFor(name);
        if (s.format === 'date-time') return new Date(Date.now() + 3_600_000).toISOString();
        if (s.format === 'email') return `fuzz-${requests}@agents.test`;
        return `fuzz ${name} ${requests}`.padEnd(s.minLength ?? 1, 'x');
    }
  }

  function idFor(name: string): string {
    if (name === 'project_id') return world.p1;
    if (name === 'agent_id' || name === 'assignee_agent_id') return world.a1;
    if (name === 'user_id') return world.ownerId;
    if (name === 'task_id' || name === 'depends_on') return ids['tasks'];
    return ids[name] ?? world.p1;
  }

  /** The id a path parameter names: `:id` is the resource of the path's first segment. */
  function pathValue(op: Op, name: string): string {
    if (name !== 'id') return idFor(name);
    const resource = op.path.split('/').filter(Boolean)[2] ?? 'projects';
    return ids[resource] ?? world.p1;
  }

  function build(op: Op, target: Target, value: unknown): InjectOptions {
    const params = op.operation.parameters ?? [];
    const pathParams: Record<string, string> = {};
    const queryParams: Record<string, string> = {};
    for (const p of params) {
      if (p.in === 'path') pathParams[p.name] = pathValue(op, p.name);
      if (p.in === 'query' && p.required)
        queryParams[p.name] = String(sample(p.schema ?? {}, p.name));
    }
    const asText = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));
    if (target.kind === 'path') pathParams[target.field] = asText(value);
    if (target.kind === 'query') queryParams[target.field] = asText(value);
    const url =
      op.path.replace(/\{(\w+)\}/g, (_m, name: string) => encodePath(pathParams[name])) +
      (Object.keys(queryParams).length ? `?${new URLSearchParams(queryParams).toString()}` : '');

    const schema = bodySchema(op);
    if (!schema) return { method: op.method as InjectOptions['method'], url };
    const body = sample(schema, 'body') as Record<string, unknown>;
    let payload = JSON.stringify(
      target.kind === 'body' ? { ...body, [target.field]: value } : body,
    );
    let contentType = 'application/json';
    if (target.kind === 'invalidJson') payload = payload.slice(0, -1) + ',';
    if (target.kind === 'wrongContentType')
      contentType = asText(value).slice(0, 50) || 'text/plain';
    if (target.kind === 'protoKey') payload = `{"__proto__":{"admin":true},${payload.slice(1)}`;
    return {
      method: op.method as InjectOptions['method'],
      url,
      payload,
      headers: { 'content-type': contentType },
    };
  }
});

/** encodeURIComponent, except that a lone surrogate goes out as the (invalid) UTF-8 a client could send. */
function encodePath(text: string): string {
  return Array.from(text)
    .map((c) => (/[\ud800-\udfff]/.test(c) ? '%ED%A0%80' : encodeURIComponent(c)))
    .join('');
}

/** Columns that authenticating stamps whatever the request then does (an agent key's use). */
const AUTH_BOOKKEEPING: Record<string, string[]> = { agent_api_keys: ['last_used_at'] };

/**
 * Every row of every table, hashed: what a refused request must not change. One connection for
 * the whole run (a new one per snapshot, as `query()` makes, would cost more than the request).
 */
class Fingerprint {
  private client?: Client;
  private tables: string[] = [];

  async open(databaseUrl: string): Promise<void> {
    this.client = new Client({ connectionString: databaseUrl });
    await this.client.connect();
    // A refused login is recorded on purpose: the throttle counts failures.
    const { rows } = await this.client.query<{ name: string }>(
      `SELECT quote_ident(tablename) AS name FROM pg_tables
        WHERE schemaname = 'public' AND tablename <> 'login_attempts' ORDER BY 1`,
    );
    this.tables = rows.map((t) => t.name);
  }

  async take(): Promise<string> {
    const parts = this.tables.map((t) => {
      const skipped = (AUTH_BOOKKEEPING[t] ?? []).join(',');
      const row = `((to_jsonb(x) - '{${skipped}}'::text[])::text)`;
      return `(SELECT string_agg(md5(${row}), '' ORDER BY md5(${row})) FROM ${t} x)`;
    });
    const { rows } = await (this.client as Client).query<{ f: string }>(
      `SELECT md5(concat(${parts.join(', ')})) AS f`,
    );
    return rows[0].f;
  }

  close(): Promise<void> | undefined {
    return this.client?.end();
  }
}
