import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import {
  getDefaultEnvironment,
  StdioClientTransport,
} from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResult,
  ResourceUpdatedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { createTask, eventually, query } from '@agenthub/testing';
import { api, ApiProcess, startApiProcess } from './event-stream.support';
import { connectMcp, McpConnection } from './mcp.support';
import { useWorld } from './world';

const ROOT = join(__dirname, '../../..');

describe('MCP across processes', () => {
  const open: McpConnection[] = [];
  afterAll(async () => {
    await Promise.all(open.map((c) => c.close().catch(() => undefined)));
  });
  const world = useWorld();
  let base: string;
  let other: ApiProcess;
  const key = () => world.agentKey.authorization.replace(/^Bearer /, '');

  beforeAll(async () => {
    await world.t.app.listen(0, '127.0.0.1');
    base = await world.t.app.getUrl();
    other = await startApiProcess(world.db.url);
  }, 60_000);
  afterAll(() => other?.stop());

  it('serves one session on two API processes: initialized on one, used and subscribed on the other, notified on both', async () => {
    const first = await connectMcp(base, world.agentKey.authorization);
    open.push(first);
    await first.streamOpen;
    const sessionId = first.transport.sessionId as string;
    const second = await connectMcp(other.url, world.agentKey.authorization, { sessionId });
    open.push(second);
    await second.streamOpen;

    const task = await createTask(world.t, world.owner, world.p1, { title: 'seen from both' });
    expect(await second.call('get_task', { id: task.id })).toMatchObject({ id: task.id });
    const uri = `agenthub://tasks/${task.id}`;
    await second.client.subscribeResource({ uri });
    // At once on the process that took it; within the session check on the other one.
    let priority = 'low';
    await eventually(async () => {
      priority = priority === 'low' ? 'high' : 'low';
      const patched = await api(other.url, 'PATCH', `/tasks/${task.id}`, world.owner, { priority });
      expect(patched.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 100));
      return first.updated.includes(uri);
    }, 'the notification on the first process');
    await second.waitForUpdate(uri);

    // Ended on the second process, the session is gone on the first too.
    await second.transport.terminateSession();
    const error = await first.client.listTools().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StreamableHTTPError);
    expect((error as StreamableHTTPError).code).toBe(404);
    // Its stream there ends too (the session check), and reconnecting is refused.
    // The session check (every second), then the client's reconnect delay.
    await eventually(async () => first.streamStatuses.includes(404), 'the stream to end', 15_000);
  });

  describe('the stdio bridge (npx agenthub-mcp)', () => {
    const launch = (args: string[]) =>
      new StdioClientTransport({
        command: 'npx',
        args: ['agenthub-mcp', ...args],
        cwd: ROOT,
        env: { ...getDefaultEnvironment(), npm_config_update_notifier: 'false' },
        stderr: 'pipe',
      });

    it('relays an MCP client on stdio to /mcp: tools, errors, notifications, and the session ends with it', async () => {
      const client = new Client({ name: 'stdio-e2e', version: '1.0.0' });
      const updated: string[] = [];
      client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => {
        updated.push(n.params.uri);
      });
      await client.connect(launch(['--url', base, '--key', key()]));
      try {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toContain('claim_task');
        const me = (await client.callTool({ name: 'whoami' })) as CallToolResult;
        expect(me.structuredContent).toMatchObject({ kind: 'agent', agent_id: world.a1 });
        const missing = (await client.callTool({
          name: 'get_task',
          arguments: { id: '00000000-0000-4000-8000-000000000000' },
        })) as CallToolResult;
        expect(missing.isError).toBe(true);
        expect(JSON.parse((missing.content[0] as { text: string }).text)).toMatchObject({
          code: 'TASK.NOT_FOUND',
        });

        const sessions = await query(
          world.db.url,
          `SELECT id FROM mcp_sessions WHERE client_info->>'name' = 'stdio-e2e'`,
        );
        expect(sessions).toHaveLength(1);
        const task = await createTask(world.t, world.owner, world.p1, { title: 'bridged' });
        const uri = `agenthub://tasks/${task.id}`;
        await client.subscribeResource({ uri });
        // The bridge's server stream may open just after the subscription: change until seen.
        await eventually(async () => {
          await api(base, 'PATCH', `/tasks/${task.id}`, world.owner, { priority: 'high' });
          await api(base, 'PATCH', `/tasks/${task.id}`, world.owner, { priority: 'low' });
          return updated.includes(uri);
        }, 'a notification through the bridge');
      } finally {
        await client.close();
      }
      // Closing stdin ends the bridge, which ends its session.
      await eventually(
        async () =>
          (
            await query(
              world.db.url,
              `SELECT 1 FROM mcp_sessions WHERE client_info->>'name' = 'stdio-e2e'`,
            )
          ).length === 0,
        'the session to end',
      );
    }, 60_000);

    it('answers the client with an error when AgentHub refuses the key', async () => {
      const client = new Client({ name: 'stdio-e2e-bad-key', version: '1.0.0' });
      const error = await client
        .connect(launch(['--url', base, '--key', 'ahk_not_a_real_key']))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toContain('401');
      await client.close();
    }, 60_000);

    it('exits 2 with its usage for a bad command line', () => {
      const result = spawnSync('npx', ['agenthub-mcp', '--url', base], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, AGENTHUB_API_KEY: '' },
        timeout: 30_000,
      });
      expect(result.status).toBe(2);
      expect(result.stderr).toContain('--key is required');
      expect(result.stderr).toContain('usage: agenthub-mcp');
    });
  });
});
