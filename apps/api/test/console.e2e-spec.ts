import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import {
  AuthHeaders,
  bearer,
  claimTask,
  createAgent,
  createAgentKey,
  createProject,
  createWorkflow,
  messageCall,
  patchTask,
  receiveInbox,
  registerAndLogin,
  sendMessage,
  TestUser,
} from '@agenthub/testing';
import { BROWSER_TIMEOUT, BrowserPage, openPage, useChromium } from './browser.support';
import { useApiTestApp } from './create-api-test-app';

const ROOT = resolve(__dirname, '../../..');
/** What `npx nx build console` writes; CI builds it before the tests. */
const CONSOLE_DIR = join(ROOT, 'dist/apps/console');
/** Screenshots of every page, for people to look at (docs/console.md shows the main ones). */
const SHOTS = join(ROOT, 'tmp/console');

/** A test run without a build (a developer's `npx jest` of this file) builds the console first. */
function ensureConsoleBuilt(): void {
  if (existsSync(join(CONSOLE_DIR, 'index.html'))) return;
  execFileSync('npx', ['vite', 'build', '--config', 'apps/console/vite.config.ts'], {
    cwd: ROOT,
    stdio: 'ignore',
  });
}

const shoot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

describe('the operator console, in Chromium against the API', () => {
  const ctx = useApiTestApp({ env: { AGENTHUB_CONSOLE_DIR: CONSOLE_DIR } });

  // A block of its own, so its afterAll closes the browser before useApiTestApp's closes the app.
  describe('an operator watching a fleet', () => {
    const chromium = useChromium();
    let base: string;
    let owner: TestUser;
    let projectId: string;
    let agentId: string;
    let agentKey: AuthHeaders;
    let workflowId: string;
    let tab: BrowserPage;

    beforeAll(async () => {
      ensureConsoleBuilt();
      mkdirSync(SHOTS, { recursive: true });
      await ctx.t.app.listen(0, '127.0.0.1');
      base = `http://127.0.0.1:${(ctx.t.app.getHttpServer().address() as AddressInfo).port}`;

      owner = await registerAndLogin(ctx.t, 'olga@example.com', undefined, 'Olga Ops');
      projectId = (await createProject(ctx.t, owner.auth, 'Apollo', 'The release fleet')).id;
      const agent = await createAgent(ctx.t, owner.auth, projectId, {
        name: 'builder-1',
        capabilities: ['build', 'test'],
      });
      agentId = agent.id;
      agentKey = bearer((await createAgentKey(ctx.t, owner.auth, agentId)).api_key);
      workflowId = (
        await createWorkflow(ctx.t, owner.auth, projectId, {
          name: 'Release',
          status: 'active',
          definition: {
            steps: [
              { key: 'build', title: 'Build' },
              { key: 'test', title: 'Test', depends_on: ['build'] },
              { key: 'ship', title: 'Ship', depends_on: ['test'] },
            ],
          },
        })
      ).id;
      tab = await openPage(chromium.browser, { viewport: { width: 1280, height: 900 } });
    }, BROWSER_TIMEOUT);

    afterAll(async () => {
      await tab?.context.close();
    });

    afterEach(() => {
      // Nothing was fetched from outside this machine, and no script failed.
      expect(tab.foreignRequests).toEqual([]);
      expect(tab.pageErrors).toEqual([]);
    });

    const page = () => tab.page;

    it('answers a wrong password with the API’s own detail', async () => {
      await page().goto(`${base}/console/`);
      await page().getByLabel('Email').fill('olga@example.com');
      await page().getByLabel('Password').fill('not the password');
      await page().getByRole('button', { name: 'Sign in' }).click();
      await page().getByRole('alert').getByText('Invalid email or password').waitFor();
      await shoot(page(), 'sign-in-refused');
    });

    it('signs in by keyboard alone and lists the projects the user may see', async () => {
      await page().goto(`${base}/console/`);
      // The email field takes the focus once React has drawn the form (which can be after the
      // load event on a busy machine); Tab moves to the password, Enter submits.
      await page().locator('input[name="email"]:focus').waitFor();
      await page().keyboard.type('olga@example.com');
      await page().keyboard.press('Tab');
      await page().keyboard.type('correct horse battery');
      await page().keyboard.press('Enter');
      await page().getByRole('heading', { name: 'Projects' }).waitFor();
      await page().getByRole('link', { name: 'Apollo' }).waitFor();
      await shoot(page(), 'projects');
    });

    it('shows the agent go online, live, when it sends a heartbeat', async () => {
      await page().getByRole('link', { name: 'Apollo' }).click();
      const row = page().locator(`tr[data-agent-id="${agentId}"]`);
      await row.locator('[data-status="offline"]').waitFor();
      await page().getByRole('status').getByText('Live').waitFor();

      const beat = await ctx.t.request({
        method: 'POST',
        url: `/api/v1/agents/${agentId}/heartbeat`,
        headers: agentKey,
        payload: { status: 'online' },
      });
      expect(beat.statusCode).toBe(200);
      // No reload: the agent.updated event redraws the row.
      await row.locator('[data-status="online"]').waitFor();
      await shoot(page(), 'fleet');
    });

    it(
      'starts a three-step workflow and draws each step completed as the agent completes it',
      async () => {
        await page().getByRole('link', { name: 'Workflows' }).click();
        await page().getByRole('link', { name: 'Release' }).first().click();
        await page().waitForURL(`${base}/console/projects/${projectId}/workflows/${workflowId}`);
        await page().getByRole('button', { name: 'Start execution' }).click();
        await page().waitForURL(/\/executions\/[0-9a-f-]{36}$/);
        const graph = page().getByRole('group', { name: 'Step graph' });
        const node = (key: string) => graph.locator(`g[data-step-key="${key}"]`);
        for (const key of ['build', 'test', 'ship'])
          await node(key).and(page().locator('[data-status="pending"]')).waitFor();
        await shoot(page(), 'execution-started');

        for (const key of ['build', 'test', 'ship']) {
          const claimed = await claimTask(ctx.t, agentKey);
          expect(claimed.statusCode).toBe(200);
          const task = claimed.json<{ id: string; step_key: string }>();
          expect(task.step_key).toBe(key);
          await node(key).and(page().locator('[data-status="in_progress"]')).waitFor();
          const done = await patchTask(ctx.t, agentKey, task.id, {
            status: 'completed',
            result: { ok: true, step: key },
          });
          expect(done.statusCode).toBe(200);
          await node(key).and(page().locator('[data-status="completed"]')).waitFor();
        }
        await page().locator('[data-execution-status="completed"]').waitFor();
        await shoot(page(), 'execution-completed');
      },
      BROWSER_TIMEOUT,
    );

    it('lists the queue and opens a task’s detail', async () => {
      await page().getByRole('link', { name: 'Queue' }).click();
      const rows = page().locator('tr[data-task-id]');
      await rows.first().waitFor();
      expect(await rows.count()).toBe(3);
      await shoot(page(), 'queue');
      await rows.first().getByRole('link').first().click();
      await page().waitForURL(/\/queue\/[0-9a-f-]{36}$/);
      await page().locator('[data-status="completed"]').first().waitFor();
      await shoot(page(), 'task');
    });

    it('opens a chart of the task durations the platform recorded', async () => {
      await page().getByRole('link', { name: 'Metrics' }).click();
      // The first chart with points: the fleet's durations, from the three steps just completed.
      const chart = page().locator('figure.chart:not([data-empty])').first();
      await chart.locator('figcaption').waitFor();
      await chart.locator('svg.recharts-surface[role="application"]').waitFor();
      await shoot(page(), 'metrics');
    });

    it('shows a conversation with each message’s delivery status', async () => {
      const conversationId = randomUUID();
      await sendMessage(ctx.t, owner.auth, {
        project_id: projectId,
        recipient_id: agentId,
        message_type: 'request',
        conversation_id: conversationId,
        payload: { text: 'Please run the release checklist' },
      });
      await page().getByRole('link', { name: 'Messages' }).click();
      await page()
        .locator(`[data-conversation-key="conversation:${conversationId}"]`)
        .getByRole('link')
        .first()
        .click();
      await page().getByText('Please run the release checklist').waitFor();
      const delivery = page().locator('li[data-delivery-status]').first();
      await delivery.and(page().locator('[data-delivery-status="pending"]')).waitFor();

      // The agent takes it from its inbox and acknowledges it: the thread follows, live.
      const [received] = await receiveInbox(ctx.t, agentKey, agentId);
      expect(received.conversation_id).toBe(conversationId);
      expect((await messageCall(ctx.t, agentKey, received.id, 'ack')).statusCode).toBe(200);
      await delivery.and(page().locator('[data-delivery-status="acknowledged"]')).waitFor();
      await delivery.locator('[data-status="acknowledged"]').waitFor();
      await shoot(page(), 'messages');
    });

    it('pages through the audit log', async () => {
      await page().getByRole('link', { name: 'Audit' }).click();
      await page().getByText('workflow_execution.start').first().waitFor();
      await shoot(page(), 'audit');
    });

    it('reads on a phone-sized screen without the page scrolling sideways', async () => {
      const phone = await openPage(chromium.browser, { viewport: { width: 390, height: 844 } });
      try {
        await phone.page.goto(`${base}/console/projects/${projectId}/fleet`);
        await phone.page.getByLabel('Email').fill('olga@example.com');
        await phone.page.getByLabel('Password').fill('correct horse battery');
        await phone.page.getByRole('button', { name: 'Sign in' }).click();
        // Signing in comes back to the page the link asked for.
        await phone.page.locator(`tr[data-agent-id="${agentId}"]`).waitFor();
        // (A string: this file is compiled for Node, without the DOM's types.)
        const overflow = await phone.page.evaluate<number>(
          'document.documentElement.scrollWidth - document.documentElement.clientWidth',
        );
        expect(overflow).toBeLessThanOrEqual(0);
        await shoot(phone.page, 'phone-fleet');
        expect(phone.foreignRequests).toEqual([]);
        expect(phone.pageErrors).toEqual([]);
      } finally {
        await phone.context.close();
      }
    });
  });
});
