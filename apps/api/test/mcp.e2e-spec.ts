import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { bearer, createAgentKey, createTask, createWorkflow, query } from '@agenthub/testing';
import { connectMcp, McpConnection } from './mcp.support';
import { useWorld } from './world';

const TOOLS = [
  'whoami',
  'heartbeat',
  'list_agents',
  'claim_task',
  'get_task',
  'update_task',
  'extend_lease',
  'create_task',
  'search_tasks',
  'send_message',
  'receive_messages',
  'ack_message',
  'nack_message',
  'post_room_message',
  'list_workflows',
  'start_workflow',
  'get_execution',
];

const MISSING = '00000000-0000-4000-8000-000000000000';

interface Task {
  id: string;
  status: string;
  assigned_to: string | null;
  result: Record<string, unknown> | null;
  lease_expires_at: string | null;
  title: string;
}

describe('MCP at /mcp', () => {
  const open: McpConnection[] = [];
  // Before the world's own afterAll (hooks run in the order they are declared).
  afterAll(async () => {
    await Promise.all(open.map((c) => c.close().catch(() => undefined)));
  });
  const world = useWorld();
  let base: string;
  const connect = async (authorization: string) => {
    const connection = await connectMcp(base, authorization);
    open.push(connection);
    return connection;
  };

  beforeAll(async () => {
    await world.t.app.listen(0, '127.0.0.1');
    base = await world.t.app.getUrl();
  });

  it('refuses a request without a bearer token as REST does: 401 with WWW-Authenticate', async () => {
    const res = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.json()).toMatchObject({ status: 401 });
  });

  it('answers a method the transport does not speak with 405 and the ones it does', async () => {
    const res = await fetch(`${base}/mcp`, { method: 'PUT', headers: world.agentKey });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST, DELETE');
    expect(await res.json()).toMatchObject({ error: { code: -32000 } });
  });

  it('lists every tool with its input and output schema', async () => {
    const agent = await connect(world.agentKey.authorization);
    const { tools } = await agent.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
    // JSON Schema 2020-12, MCP's default dialect: each schema is valid and compiles.
    const ajv = new Ajv2020({ strict: false, validateSchema: true });
    addFormats(ajv);
    for (const tool of tools) {
      expect(tool.description).toBeTruthy();
      expect(tool.inputSchema.type).toBe('object');
      expect(tool.outputSchema?.type).toBe('object');
      expect(() => ajv.compile(tool.inputSchema)).not.toThrow();
      expect(() => ajv.compile(tool.outputSchema as object)).not.toThrow();
    }
    const getTask = tools.find((t) => t.name === 'get_task');
    expect(getTask?.inputSchema.required).toEqual(['id']);
    const updateTask = tools.find((t) => t.name === 'update_task');
    expect(Object.keys(updateTask?.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['id', 'status', 'result', 'version']),
    );
    expect(tools.find((t) => t.name === 'search_tasks')?.annotations?.readOnlyHint).toBe(true);
    expect(agent.client.getServerCapabilities()?.resources?.subscribe).toBe(true);
  });

  it('runs the work loop as an agent: heartbeat, claim, extend the lease, complete', async () => {
    const agent = await connect(world.agentKey.authorization);
    const me = await agent.call<{ kind: string; agent_id: string }>('whoami');
    expect(me).toMatchObject({ kind: 'agent', agent_id: world.a1, project_id: world.p1 });
    expect(await agent.call('heartbeat', { status: 'busy' })).toMatchObject({
      id: world.a1,
      status: 'busy',
    });

    const task = await createTask(world.t, world.owner, world.p1, {
      title: 'ship it over MCP',
      priority: 'urgent',
    });
    const claimed = await agent.call<{ task: Task }>('claim_task', { lease_seconds: 60 });
    expect(claimed.task).toMatchObject({
      id: task.id,
      status: 'in_progress',
      assigned_to: world.a1,
    });
    const leased = await agent.call<Task>('extend_lease', { id: task.id, lease_seconds: 600 });
    expect(Date.parse(leased.lease_expires_at as string)).toBeGreaterThan(Date.now() + 500_000);
    const done = await agent.call<Task>('update_task', {
      id: task.id,
      status: 'completed',
      result: { shipped: true },
    });
    expect(done).toMatchObject({ status: 'completed', result: { shipped: true } });
    expect(await agent.call('get_task', { id: task.id })).toMatchObject({ status: 'completed' });

    // Nothing left: the empty claim is still an object.
    expect(await agent.call('claim_task')).toEqual({ task: null });
    // The same REST operations ran: their audit rows, as the agent, carry the MCP user agent's calls.
    const audit = await query(
      world.db.url,
      `SELECT action FROM audit_log WHERE resource_id = $1 ORDER BY occurred_at, action`,
      [task.id],
    );
    expect(audit.map((r) => r['action'])).toEqual(
      expect.arrayContaining(['task.claim', 'task.lease_extend', 'task.update']),
    );
  });

  it('finds tasks and agents with the REST filters', async () => {
    const owner = await connect(world.owner.authorization);
    const created = await owner.call<Task>('create_task', {
      project_id: world.p1,
      title: 'index the quarterly archive',
    });
    const found = await owner.call<{ items: Task[]; total: number }>('search_tasks', {
      project_id: world.p1,
      q: 'quarterly archive',
      status: 'pending',
    });
    expect(found.items.map((t) => t.id)).toEqual([created.id]);
    const agents = await owner.call<{ items: { id: string }[] }>('list_agents', {
      project_id: world.p1,
      capability: 'review',
    });
    expect(agents.items.map((a) => a.id)).toEqual([world.a1]);
  });

  it('sends, receives (waiting for it) and acknowledges a message between two agents', async () => {
    const a2Key = await createAgentKey(world.t, world.owner, world.a2);
    const sender = await connect(world.agentKey.authorization);
    const recipient = await connect(bearer(a2Key.api_key).authorization);

    const receiving = recipient.call<{ items: { id: string; payload: unknown; status: string }[] }>(
      'receive_messages',
      { wait_seconds: 10, limit: 5 },
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    const sent = await sender.call<{ messages: { id: string }[] }>('send_message', {
      recipient_id: world.a2,
      message_type: 'request',
      subject: 'review',
      payload: { pr: 42 },
    });
    const received = await receiving;
    expect(received.items).toEqual([
      expect.objectContaining({ id: sent.messages[0].id, payload: { pr: 42 }, status: 'sent' }),
    ]);
    expect(await recipient.call('ack_message', { id: sent.messages[0].id })).toMatchObject({
      status: 'acknowledged',
    });
    // A second ack is the REST conflict, as a tool error.
    expect(await recipient.problem('ack_message', { id: sent.messages[0].id })).toMatchObject({
      status: 409,
      code: 'MESSAGE.ILLEGAL_TRANSITION',
    });
  });

  it('rejects a message for good with nack_message, and posts to a room the agent takes part in', async () => {
    const a2Key = await createAgentKey(world.t, world.owner, world.a2);
    const sender = await connect(world.agentKey.authorization);
    const recipient = await connect(bearer(a2Key.api_key).authorization);
    const sent = await sender.call<{ messages: { id: string }[] }>('send_message', {
      recipient_id: world.a2,
      message_type: 'request',
      payload: { unsupported: true },
    });
    await recipient.call('receive_messages', { limit: 1 });
    expect(
      await recipient.call('nack_message', {
        id: sent.messages[0].id,
        retry: false,
        reason: 'cannot do this',
      }),
    ).toMatchObject({ status: 'failed', last_error: 'cannot do this' });

    const room = await world.t.request({
      method: 'POST',
      url: '/api/v1/rooms',
      headers: world.owner,
      payload: { project_id: world.p1, name: 'standup' },
    });
    const roomId = room.json<{ id: string }>().id;
    expect(
      await sender.problem('post_room_message', { id: roomId, content: 'hello?' }),
    ).toMatchObject({
      status: 403,
    });
    await world.t.request({
      method: 'POST',
      url: `/api/v1/rooms/${roomId}/participants`,
      headers: world.owner,
      payload: { agent_id: world.a1 },
    });
    expect(
      await sender.call('post_room_message', { id: roomId, content: 'done with the review' }),
    ).toMatchObject({ room_id: roomId, content: 'done with the review' });
  });

  it('starts a workflow and follows its execution as a resource while an agent works its step', async () => {
    const workflow = await createWorkflow(world.t, world.owner, world.p1, {
      status: 'active',
      definition: { steps: [{ key: 'only', title: 'The only step', priority: 'urgent' }] },
    });
    const owner = await connect(world.owner.authorization);
    const listed = await owner.call<{ items: { id: string }[] }>('list_workflows', {
      project_id: world.p1,
    });
    expect(listed.items.map((w) => w.id)).toContain(workflow.id);
    const execution = await owner.call<{ id: string; status: string }>('start_workflow', {
      id: workflow.id,
      context_data: { ticket: 7 },
    });
    expect(execution).toMatchObject({ workflow_id: workflow.id, status: 'running' });
    const uri = `agenthub://workflow-executions/${execution.id}`;
    await owner.streamOpen;
    await owner.client.subscribeResource({ uri });

    const agent = await connect(world.agentKey.authorization);
    const { task } = await agent.call<{ task: Task & { workflow_execution_id: string } }>(
      'claim_task',
    );
    expect(task).toMatchObject({
      workflow_execution_id: execution.id,
      inputs: { context: { ticket: 7 } },
    });
    await owner.waitForUpdate(uri);
    await agent.call('update_task', { id: task.id, status: 'completed', result: { ok: true } });
    const deadline = Date.now() + 5_000;
    let status = 'running';
    while (status !== 'completed' && Date.now() < deadline) {
      status = (await owner.call<{ status: string }>('get_execution', { id: execution.id })).status;
      if (status !== 'completed') await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe('completed');
  });

  it('answers a domain error as a tool error carrying the problem status, code and detail', async () => {
    const agent = await connect(world.agentKey.authorization);
    const problem = await agent.problem('get_task', { id: MISSING });
    expect(problem).toMatchObject({ status: 404, code: 'TASK.NOT_FOUND' });
    expect(typeof problem['detail']).toBe('string');
    // Agents may not create workflows' executions elsewhere, nor claim as a user: REST's rules.
    const owner = await connect(world.owner.authorization);
    expect(await owner.problem('claim_task')).toMatchObject({
      status: 403,
      code: 'TASK.AGENT_REQUIRED',
    });
    // A user has no "self" to heartbeat for.
    expect(await owner.problem('heartbeat')).toMatchObject({
      status: 400,
      code: 'REQUEST.VALIDATION_FAILED',
      errors: { id: [expect.stringContaining('required')] },
    });
  });

  it('refuses bad arguments as REST validation does, and an unknown tool as a protocol error', async () => {
    const agent = await connect(world.agentKey.authorization);
    expect(await agent.problem('get_task', {})).toMatchObject({
      code: 'REQUEST.VALIDATION_FAILED',
      errors: { id: ['id is required'] },
    });
    expect(await agent.problem('get_task', { id: 'not-a-uuid' })).toMatchObject({
      status: 400,
      code: 'REQUEST.INVALID_ID',
    });
    expect(await agent.problem('search_tasks', { colour: 'red' })).toMatchObject({
      code: 'REQUEST.VALIDATION_FAILED',
      errors: { colour: [expect.stringContaining('unknown argument')] },
    });
    expect(await agent.problem('update_task', { id: MISSING, colour: 'red' })).toMatchObject({
      status: 400,
      code: 'REQUEST.VALIDATION_FAILED',
    });
    expect(await agent.problem('search_tasks', { status: 'sleeping' })).toMatchObject({
      status: 400,
      code: 'REQUEST.VALIDATION_FAILED',
    });
    const error = await agent.client
      .callTool({ name: 'drop_database', arguments: {} })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(McpError);
    expect((error as McpError).code).toBe(-32602);
  });

  it('refuses a revoked key on its very next call, and ends its open stream', async () => {
    const key = await createAgentKey(world.t, world.owner, world.a2);
    const agent = await connect(bearer(key.api_key).authorization);
    expect(await agent.call('whoami')).toMatchObject({ agent_id: world.a2 });
    await agent.streamOpen;
    const revoked = await world.t.request({
      method: 'DELETE',
      url: `/api/v1/agents/${world.a2}/api-keys/${key.id}`,
      headers: world.owner,
    });
    expect(revoked.statusCode).toBe(204);
    const error = await agent.call('whoami').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(401);
    // The stream ends within the event stream's credential check; the client's reconnection
    // is refused.
    const deadline = Date.now() + 5_000;
    while (!agent.streamStatuses.includes(401) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(agent.streamStatuses).toEqual([200, 401]);
  });

  describe('resources', () => {
    it('lists the resource templates and reads a task as its JSON', async () => {
      const agent = await connect(world.agentKey.authorization);
      const { resourceTemplates } = await agent.client.listResourceTemplates();
      expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual([
        'agenthub://tasks/{id}',
        'agenthub://agents/{id}',
        'agenthub://workflow-executions/{id}',
      ]);
      const task = await createTask(world.t, world.owner, world.p1, { title: 'read me' });
      const read = await agent.client.readResource({ uri: `agenthub://tasks/${task.id}` });
      expect(read.contents).toEqual([
        {
          uri: `agenthub://tasks/${task.id}`,
          mimeType: 'application/json',
          text: expect.any(String),
        },
      ]);
      expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({
        id: task.id,
        title: 'read me',
      });
      const me = await agent.client.readResource({ uri: `agenthub://agents/${world.a1}` });
      expect(JSON.parse((me.contents[0] as { text: string }).text)).toMatchObject({ id: world.a1 });
    });

    it('lists what the caller is working on: an agent itself and its tasks in progress', async () => {
      const task = await createTask(world.t, world.owner, world.p1, {
        title: 'in my hands',
        assigned_to: world.a1,
        assigned_to_type: 'agent',
      });
      const started = await world.t.request({
        method: 'PATCH',
        url: `/api/v1/tasks/${task.id}`,
        headers: world.owner,
        payload: { status: 'in_progress' },
      });
      expect(started.statusCode).toBe(200);
      const agent = await connect(world.agentKey.authorization);
      const { resources } = await agent.client.listResources();
      expect(resources[0]).toMatchObject({ uri: `agenthub://agents/${world.a1}` });
      expect(resources).toContainEqual(
        expect.objectContaining({ uri: `agenthub://tasks/${task.id}`, title: 'in my hands' }),
      );
      const otherAgent = await connect(world.otherProjectAgentKey.authorization);
      const theirs = await otherAgent.client.listResources();
      expect(theirs.resources.map((r) => r.uri)).toEqual([`agenthub://agents/${world.b1}`]);
    });

    it("refuses an unknown URI, a missing task and another project's agent with MCP errors carrying the problem", async () => {
      const agent = await connect(world.agentKey.authorization);
      const unknown = await agent.client
        .readResource({ uri: 'agenthub://secrets/1' })
        .catch((e: unknown) => e);
      expect(unknown).toMatchObject({ code: -32602 });
      const missing = await agent.client
        .readResource({ uri: `agenthub://tasks/${MISSING}` })
        .catch((e: unknown) => e);
      expect(missing).toMatchObject({
        code: -32002,
        data: { status: 404, code: 'TASK.NOT_FOUND' },
      });
      const foreign = await agent.client
        .subscribeResource({ uri: `agenthub://agents/${world.b1}` })
        .catch((e: unknown) => e);
      expect(foreign).toBeInstanceOf(McpError);
      expect((foreign as McpError).data).toMatchObject({ status: expect.any(Number) });
    });

    it('notifies a subscriber that a task changed, and stops after unsubscribe', async () => {
      const agent = await connect(world.agentKey.authorization);
      await agent.streamOpen;
      const task = await createTask(world.t, world.owner, world.p1, { title: 'watch me' });
      const other = await createTask(world.t, world.owner, world.p1, { title: 'ignore me' });
      const uri = `agenthub://tasks/${task.id}`;
      await agent.client.subscribeResource({ uri });
      await patchTask(task.id, { priority: 'high' });
      await patchTask(other.id, { priority: 'high' });
      await agent.waitForUpdate(uri);
      expect(agent.updated).not.toContain(`agenthub://tasks/${other.id}`);

      await agent.client.unsubscribeResource({ uri });
      const before = agent.updated.length;
      await patchTask(task.id, { priority: 'low' });
      // A later subscription's notification proves the earlier change was seen and skipped.
      const marker = `agenthub://tasks/${other.id}`;
      await agent.client.subscribeResource({ uri: marker });
      await patchTask(other.id, { priority: 'low' });
      await agent.waitForUpdate(marker);
      expect(agent.updated.slice(before)).toEqual([marker]);
    });

    const patchTask = async (id: string, payload: Record<string, unknown>) => {
      const res = await world.t.request({
        method: 'PATCH',
        url: `/api/v1/tasks/${id}`,
        headers: world.owner,
        payload,
      });
      expect(res.statusCode).toBe(200);
    };
  });

  describe('sessions', () => {
    const rawPost = (headers: Record<string, string>, body: unknown) =>
      fetch(`${base}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body: JSON.stringify(body),
      });
    const listTools = { jsonrpc: '2.0', id: 7, method: 'tools/list' };

    it('answers junk with a clear refusal, never a 500', async () => {
      const agent = await connect(world.agentKey.authorization);
      const session = { ...world.agentKey, 'mcp-session-id': agent.transport.sessionId as string };
      const cases: [Record<string, string>, unknown, number, unknown][] = [
        [session, { foo: 1 }, 400, { error: { code: -32700 } }],
        [session, 'just a string', 400, { error: { code: -32700 } }],
        [
          session,
          { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 42 } },
          200,
          { error: { code: -32602 } },
        ],
        [
          session,
          {
            jsonrpc: '2.0',
            id: 2,
            method: 'tools/call',
            params: { name: 'get_task', arguments: 'x' },
          },
          200,
          { error: { code: -32602 } },
        ],
        [
          session,
          { jsonrpc: '2.0', id: 6, method: 'resources/read', params: { uri: 5 } },
          200,
          { id: 6, error: { code: -32602 } },
        ],
        [
          session,
          { jsonrpc: '2.0', id: 3, method: 'no/such/method' },
          200,
          { error: { code: -32601 } },
        ],
        [
          world.agentKey,
          { jsonrpc: '2.0', id: 4, method: 'initialize', params: { protocolVersion: 1 } },
          200,
          { id: 4, error: { code: expect.any(Number) as number } },
        ],
        [
          { ...world.agentKey, 'mcp-session-id': 'not-a-session' },
          listTools,
          404,
          { error: { code: -32001 } },
        ],
      ];
      for (const [headers, body, status, answer] of cases) {
        const res = await rawPost(headers, body);
        expect({ body, status: res.status }).toEqual({ body, status });
        expect(await res.json()).toMatchObject(answer as object);
      }
      const sessionsBefore = await query(
        world.db.url,
        `SELECT count(*)::int AS n FROM mcp_sessions`,
      );
      await rawPost(world.agentKey, { jsonrpc: '2.0', id: 5, method: 'initialize', params: {} });
      expect(await query(world.db.url, `SELECT count(*)::int AS n FROM mcp_sessions`)).toEqual(
        sessionsBefore,
      );
      const notJson = await fetch(`${base}/mcp`, {
        method: 'POST',
        headers: {
          ...session,
          'content-type': 'text/plain',
          accept: 'application/json, text/event-stream',
        },
        body: 'hello',
      });
      expect(notJson.status).toBe(415);
      const tooLarge = await rawPost(session, {
        ...listTools,
        params: { pad: 'x'.repeat(2_000_000) },
      });
      expect(tooLarge.status).toBe(413);
    });

    it('keeps the session in the database, with whose it is and what client opened it', async () => {
      const agent = await connect(world.agentKey.authorization);
      const rows = await query(
        world.db.url,
        `SELECT agent_id, user_id, client_info, protocol_version FROM mcp_sessions WHERE id = $1`,
        [agent.transport.sessionId],
      );
      expect(rows).toEqual([
        {
          agent_id: world.a1,
          user_id: null,
          client_info: { name: 'agenthub-e2e', version: '1.0.0' },
          protocol_version: expect.any(String),
        },
      ]);
    });

    it('refuses a request without a session, or with one that is unknown or someone else’s', async () => {
      const agent = await connect(world.agentKey.authorization);
      const noSession = await rawPost(world.agentKey, listTools);
      expect(noSession.status).toBe(400);
      const unknown = await rawPost({ ...world.agentKey, 'mcp-session-id': MISSING }, listTools);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toMatchObject({
        error: { code: -32001, message: 'Session not found' },
      });
      const stolen = await rawPost(
        { ...world.owner, 'mcp-session-id': agent.transport.sessionId as string },
        listTools,
      );
      expect(stolen.status).toBe(404);
      const mine = await rawPost(
        { ...world.agentKey, 'mcp-session-id': agent.transport.sessionId as string },
        listTools,
      );
      expect(mine.status).toBe(200);
    });

    it('ends a session idle for more than a day; the next initialize purges it', async () => {
      const agent = await connect(world.agentKey.authorization);
      const sessionId = agent.transport.sessionId as string;
      await query(
        world.db.url,
        `UPDATE mcp_sessions SET last_seen_at = now() - interval '25 hours' WHERE id = $1`,
        [sessionId],
      );
      const idle = await rawPost({ ...world.agentKey, 'mcp-session-id': sessionId }, listTools);
      expect(idle.status).toBe(404);
      await connect(world.owner.authorization);
      expect(
        await query(world.db.url, `SELECT 1 FROM mcp_sessions WHERE id = $1`, [sessionId]),
      ).toEqual([]);
    });

    it('keeps at most 100 sessions per caller: a new one ends the least recently used', async () => {
      await query(
        world.db.url,
        `INSERT INTO mcp_sessions (id, agent_id, client_info, protocol_version, last_seen_at)
         SELECT gen_random_uuid(), $1, '{}', '2025-06-18', now() - make_interval(mins => n)
           FROM generate_series(1, 100) AS n`,
        [world.a2],
      );
      const [oldest] = await query<{ id: string }>(
        world.db.url,
        `SELECT id FROM mcp_sessions WHERE agent_id = $1 ORDER BY last_seen_at LIMIT 1`,
        [world.a2],
      );
      const key = await world.t.request({
        method: 'POST',
        url: `/api/v1/agents/${world.a2}/api-keys`,
        headers: world.owner,
        payload: { name: 'many sessions' },
      });
      const fresh = await connect(`Bearer ${key.json().api_key}`);
      const left = await query<{ id: string }>(
        world.db.url,
        `SELECT id FROM mcp_sessions WHERE agent_id = $1`,
        [world.a2],
      );
      expect(left).toHaveLength(100);
      expect(left.map((r) => r.id)).toContain(fresh.transport.sessionId);
      expect(left.map((r) => r.id)).not.toContain(oldest.id);
    });

    it('ends the session on DELETE: the row and its subscriptions go, its next request is 404', async () => {
      const agent = await connect(world.agentKey.authorization);
      await agent.streamOpen;
      const sessionId = agent.transport.sessionId as string;
      await agent.client.subscribeResource({ uri: `agenthub://agents/${world.a1}` });
      await agent.transport.terminateSession();
      expect(
        await query(world.db.url, `SELECT 1 FROM mcp_sessions WHERE id = $1`, [sessionId]),
      ).toEqual([]);
      expect(
        await query(world.db.url, `SELECT 1 FROM mcp_session_subscriptions WHERE session_id = $1`, [
          sessionId,
        ]),
      ).toEqual([]);
      const after = await rawPost({ ...world.agentKey, 'mcp-session-id': sessionId }, listTools);
      expect(after.status).toBe(404);
    });
  });
});
