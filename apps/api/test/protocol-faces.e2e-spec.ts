import { HttpAdapterHost } from '@nestjs/core';
import { EventStreams, parseTypeFilter } from '@agenthub/events';
import type { EventSubscription } from '@agenthub/events';
import { RestDispatcher, RestProblem } from '@agenthub/http';
import type { Principal } from '@agenthub/auth';
import { query } from '@agenthub/testing';
import { useWorld } from './world';

/**
 * What MCP and A2A are built on: the REST operations called in-process as the caller, and
 * the event stream delivered to a subscriber in the process.
 */
describe('the protocol faces: REST in-process and event subscriptions', () => {
  const world = useWorld();
  let rest: RestDispatcher;
  let streams: EventStreams;
  beforeAll(() => {
    rest = new RestDispatcher(world.t.app.get(HttpAdapterHost));
    streams = world.t.app.get(EventStreams);
  });

  describe('RestDispatcher', () => {
    it("runs an operation as the caller: its answer, and its audit row with the outer request's id", async () => {
      const created = await rest.call<{ id: string; created_by: string }>({
        method: 'POST',
        path: '/tasks',
        body: { project_id: world.p1, title: 'through the dispatcher' },
        authorization: world.agentKey.authorization,
        via: 'mcp',
        requestId: 'outer-request-1',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ title: 'through the dispatcher', created_by: world.a1 });
      const audit = await query(
        world.db.url,
        `SELECT action, request_id FROM audit_log WHERE resource_id = $1`,
        [created.body?.id],
      );
      expect(audit).toEqual([{ action: 'task.create', request_id: 'outer-request-1' }]);
    });

    it('passes query parameters, leaving out the undefined ones', async () => {
      const page = await rest.call<{ items: { title: string }[] }>({
        method: 'GET',
        path: '/tasks',
        query: { project_id: world.p1, status: 'pending', limit: 5, q: undefined },
        authorization: world.owner.authorization,
        via: 'mcp',
      });
      expect(page.body?.items.map((t) => t.title)).toContain('through the dispatcher');
    });

    it('throws a REST problem with its status, code and detail, and the body is the problem', async () => {
      const error = await rest
        .call({
          method: 'POST',
          path: '/tasks',
          body: { project_id: world.p2, title: 'not mine' },
          authorization: world.agentKey.authorization,
          via: 'a2a',
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RestProblem);
      expect(error).toMatchObject({ status: 403, code: 'PROJECT.FORBIDDEN' });
      expect((error as RestProblem).detail).toEqual((error as RestProblem).body['detail']);
    });

    it('answers 204 with no body, and refuses a bad token as REST does (401)', async () => {
      // Drain what the earlier tests left claimable, then nothing is.
      let claim;
      do {
        claim = await rest.call({
          method: 'POST',
          path: '/tasks/claim',
          authorization: world.agentKey.authorization,
          via: 'mcp',
        });
      } while (claim.status === 200);
      const none = await rest.call({
        method: 'POST',
        path: '/tasks/claim',
        authorization: world.agentKey.authorization,
        via: 'mcp',
      });
      expect(none).toMatchObject({ status: 204, body: undefined });
      await expect(
        rest.call({
          method: 'GET',
          path: '/auth/me',
          authorization: 'Bearer ahk_nope',
          via: 'mcp',
        }),
      ).rejects.toMatchObject({ status: 401, code: 'AUTH.INVALID_API_KEY' });
    });

    it('refuses a path parameter of . or .. as an unknown resource instead of resolving it', async () => {
      for (const id of ['.', '..'])
        await expect(
          rest.call({
            method: 'GET',
            path: `/tasks/${encodeURIComponent(id)}`,
            authorization: world.owner.authorization,
            via: 'mcp',
          }),
        ).rejects.toMatchObject({ status: 404, code: 'RESOURCE.NOT_FOUND' });
    });

    it('serves the OpenAPI document, once', async () => {
      const document = await rest.document();
      expect(document.paths['/api/v1/tasks/claim']).toBeDefined();
      expect(await rest.document()).toBe(document);
    });
  });

  describe('EventStreams.subscribe', () => {
    const ownerPrincipal = (): Principal => ({
      kind: 'user',
      userId: world.ownerId,
      email: 'owner@agents.test',
      isSuperuser: false,
    });

    function collect(principal: Principal, types: string) {
      const events: { type: string; data: unknown }[] = [];
      const closed: string[] = [];
      let waiter: (() => void) | undefined;
      const subscription = streams.subscribe({
        principal,
        types: parseTypeFilter(types),
        onEvent: (event) => {
          events.push(event as { type: string; data: unknown });
          waiter?.();
        },
        onClose: (reason) => closed.push(reason),
      });
      const until = async (test: () => boolean, ms = 5_000) => {
        const deadline = Date.now() + ms;
        while (!test()) {
          if (Date.now() > deadline) throw new Error(`timed out; got ${JSON.stringify(events)}`);
          await new Promise<void>((resolve) => {
            waiter = resolve;
            setTimeout(resolve, 50);
          });
        }
      };
      return { events, closed, subscription, until };
    }

    it('delivers what commits from now on, filtered by type and visibility, in order', async () => {
      const { events, subscription, until } = collect(ownerPrincipal(), 'task.*');
      const sub: EventSubscription = await subscription;
      const headers = { authorization: world.owner.authorization, via: 'mcp' };
      const task = await rest.call<{ id: string }>({
        method: 'POST',
        path: '/tasks',
        body: { project_id: world.p1, title: 'watched' },
        ...headers,
      });
      await rest.call({
        method: 'PATCH',
        path: `/tasks/${task.body?.id}`,
        body: { title: 'watched, renamed' },
        ...headers,
      });
      // Another user's project: not the owner's to see.
      await rest.call({
        method: 'POST',
        path: '/tasks',
        body: { project_id: world.p2, title: 'elsewhere' },
        authorization: world.otherUser.authorization,
        via: 'mcp',
      });
      await until(() => events.length >= 2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(events.map((e) => [e.type, (e.data as { title: string }).title])).toEqual([
        ['task.created', 'watched'],
        ['task.updated', 'watched, renamed'],
      ]);
      expect(sub.position()).toMatch(/^\d+-\d+$/);
      sub.close();
    });

    it("never takes an agent's messages over: a subscribed agent's message stays pending", async () => {
      const agent: Principal = {
        kind: 'agent',
        agentId: world.a1,
        projectId: world.p1,
        keyId: (
          await query<{ id: string }>(
            world.db.url,
            `SELECT id FROM agent_api_keys WHERE agent_id = $1`,
            [world.a1],
          )
        )[0].id,
      };
      const { events, subscription, until } = collect(agent, 'message.*');
      const sub = await subscription;
      const sent = await rest.call<{ messages: { id: string }[] }>({
        method: 'POST',
        path: '/messages',
        body: { recipient_id: world.a1, message_type: 'greeting', payload: { hello: 1 } },
        authorization: world.owner.authorization,
        via: 'a2a',
      });
      await until(() => events.some((e) => e.type === 'message.received'));
      const [row] = await query<{ status: string }>(
        world.db.url,
        `SELECT status FROM agent_messages WHERE id = $1`,
        [sent.body?.messages[0].id],
      );
      expect(row.status).toBe('pending');
      sub.close();
    });

    it('ends when the credentials stop being valid (a revoked key), within a second', async () => {
      const key = await rest.call<{ id: string; api_key: string }>({
        method: 'POST',
        path: `/agents/${world.a2}/api-keys`,
        body: { name: 'watcher' },
        authorization: world.owner.authorization,
        via: 'mcp',
      });
      const principal: Principal = {
        kind: 'agent',
        agentId: world.a2,
        projectId: world.p1,
        keyId: key.body?.id as string,
      };
      const { closed, subscription } = collect(principal, 'task.*');
      await subscription;
      await rest.call({
        method: 'DELETE',
        path: `/agents/${world.a2}/api-keys/${key.body?.id}`,
        authorization: world.owner.authorization,
        via: 'mcp',
      });
      const deadline = Date.now() + 2_000;
      while (closed.length === 0 && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(closed).toEqual(['credentials no longer valid']);
    });
  });
});
