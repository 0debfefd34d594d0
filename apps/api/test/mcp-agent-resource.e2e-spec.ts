import { connectMcp, McpConnection } from './mcp.support';
import { useWorld } from './world';

/**
 * `agenthub://agents/{id}` over MCP: a subscriber hears of every change of the agent that
 * `GET /agents/:id` shows (its `agent.*` events), and reads the agent as it now is.
 */
describe('MCP agent resources', () => {
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
    await connection.streamOpen;
    return connection;
  };

  beforeAll(async () => {
    await world.t.app.listen(0, '127.0.0.1');
    base = await world.t.app.getUrl();
  });

  const agentJson = async (connection: McpConnection, uri: string) => {
    const read = await connection.client.readResource({ uri });
    return JSON.parse((read.contents[0] as { text: string }).text) as Record<string, unknown>;
  };

  it('notifies a subscriber of agenthub://agents/{id} when the agent is patched', async () => {
    const agent = await connect(world.agentKey.authorization);
    const uri = `agenthub://agents/${world.a2}`;
    await agent.client.subscribeResource({ uri });

    const res = await world.t.request({
      method: 'PATCH',
      url: `/api/v1/agents/${world.a2}`,
      headers: world.owner,
      payload: { nickname: 'watched' },
    });
    expect(res.statusCode).toBe(200);
    await agent.waitForUpdate(uri);
    expect(agent.updated).toEqual([uri]);
    expect(await agentJson(agent, uri)).toMatchObject({ id: world.a2, nickname: 'watched' });
  });

  it('notifies the owner watching an agent that its heartbeat brought it online', async () => {
    const owner = await connect(world.owner.authorization);
    const uri = `agenthub://agents/${world.a1}`;
    await owner.client.subscribeResource({ uri });
    expect(await agentJson(owner, uri)).toMatchObject({ status: 'offline' });

    const agent = await connect(world.agentKey.authorization);
    expect(await agent.call('heartbeat')).toMatchObject({ id: world.a1, status: 'online' });
    await owner.waitForUpdate(uri);
    expect(await agentJson(owner, uri)).toMatchObject({ status: 'online' });
  });
});
