import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { registerAndLogin, TestUser } from '@agenthub/testing';
import { BROWSER_TIMEOUT as TIMEOUT, openPage, useChromium } from './browser.support';
import { useApiTestApp } from './create-api-test-app';

interface OpenApiDocument {
  paths: Record<string, Record<string, { tags?: string[] }>>;
}

/**
 * `tag → ['GET /path', …]` as Swagger UI groups operations: under each of their tags, or
 * `default` when they have none.
 */
function operationsByTag(document: OpenApiDocument): Record<string, string[]> {
  const byTag: Record<string, string[]> = {};
  for (const [path, operations] of Object.entries(document.paths))
    for (const [method, operation] of Object.entries(operations))
      for (const tag of operation.tags?.length ? operation.tags : ['default'])
        (byTag[tag] ??= []).push(`${method.toUpperCase()} ${path}`);
  return sortedLists(byTag);
}

const sortedLists = (byKey: Record<string, string[]>) =>
  Object.fromEntries(
    Object.entries(byKey)
      .filter(([, items]) => items.length > 0)
      .map(([key, items]) => [key, [...items].sort()])
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );

describe('Swagger UI at /docs', () => {
  const ctx = useApiTestApp();
  // A block of its own, so its afterAll closes the browser before useApiTestApp's closes the app.
  describe('in headless Chromium', () => {
    let baseUrl: string;
    const chromium = useChromium();
    let context: BrowserContext;
    let page: Page;
    let foreignRequests: string[];
    let pageErrors: string[];

    beforeAll(async () => {
      await ctx.t.app.listen(0, '127.0.0.1');
      const { port } = ctx.t.app.getHttpServer().address() as AddressInfo;
      baseUrl = `http://127.0.0.1:${port}`;
    }, TIMEOUT);

    beforeEach(async () => {
      ({ page, context, foreignRequests, pageErrors } = await openPage(chromium.browser));
    });

    afterEach(async () => {
      await context?.close();
      expect(foreignRequests).toEqual([]);
      expect(pageErrors).toEqual([]);
    });

    const openDocs = async () => {
      const res = await page.goto(`${baseUrl}/docs`);
      expect(res?.status()).toBe(200);
      await page.waitForSelector('.opblock-tag');
    };

    /** Authorizes the bearer scheme with `token` in the Authorize dialog, then closes it. */
    const authorize = async (token: string) => {
      await page.click('.auth-wrapper .btn.authorize');
      const dialog = page.locator('.dialog-ux .modal-ux');
      await dialog.locator('.auth-container input').fill(token);
      await dialog.locator('.auth-btn-wrapper .btn.authorize').click();
      // Once the scheme holds a value, Authorize becomes Logout (aria-label: Remove authorization).
      await dialog.getByRole('button', { name: 'Remove authorization' }).waitFor();
      await dialog.locator('.btn-done').click();
      await dialog.waitFor({ state: 'detached' });
    };

    /**
     * Runs "Try it out" → "Execute" on GET /api/v1/auth/me; returns the status Swagger UI shows,
     * the response body it shows, and the Authorization header the browser sent.
     */
    const tryAuthMe = async () => {
      const operation = page.locator('.opblock.opblock-get', {
        has: page.locator('.opblock-summary-path[data-path="/api/v1/auth/me"]'),
      });
      await operation.locator('.opblock-summary').click();
      await operation.locator('.try-out__btn').click();
      const sent = page.waitForRequest(
        (request) => new URL(request.url()).pathname === '/api/v1/auth/me',
      );
      await operation.locator('.execute').click();
      const authorization = (await sent).headers()['authorization'];
      const live = operation.locator('.live-responses-table .response');
      const status = live.locator('.response-col_status');
      await status.waitFor();
      const body = live
        .locator('.response-col_description > div', {
          has: page.locator('h5', { hasText: 'Response body' }),
        })
        .locator('pre');
      return {
        status: (await status.innerText()).trim(),
        body: await body.innerText(),
        authorization,
      };
    };

    it(
      'lists every tag of the document with its operations, all from this machine',
      async () => {
        const res = await fetch(`${baseUrl}/docs/json`);
        const expected = operationsByTag((await res.json()) as OpenApiDocument);
        expect(Object.keys(expected).length).toBeGreaterThan(0);

        await openDocs();
        // Tags the document declares but no operation uses are listed too, with nothing in them.
        const shown = await page.locator('.opblock-tag-section').evaluateAll((sections) =>
          sections.map((section) => ({
            tag: section.querySelector('.opblock-tag')?.getAttribute('data-tag') ?? '',
            operations: [...section.querySelectorAll('.opblock-summary')].map(
              (summary) =>
                `${summary.querySelector('.opblock-summary-method')?.textContent} ` +
                summary.querySelector('.opblock-summary-path')?.getAttribute('data-path'),
            ),
          })),
        );
        expect(
          sortedLists(Object.fromEntries(shown.map(({ tag, operations }) => [tag, operations]))),
        ).toEqual(expected);
      },
      TIMEOUT,
    );

    describe('Try it out on GET /api/v1/auth/me', () => {
      let user: TestUser;
      beforeAll(async () => {
        user = await registerAndLogin(ctx.t, 'swagger-ui@example.com');
      });

      it(
        "answers 200 with the user once authorized with the user's token",
        async () => {
          await openDocs();
          await authorize(user.token);
          const shown = await tryAuthMe();
          expect(shown.authorization).toBe(`Bearer ${user.token}`);
          expect(shown.status).toBe('200');
          expect(JSON.parse(shown.body)).toMatchObject({ id: user.id, email: user.email });
        },
        TIMEOUT,
      );

      it(
        'answers 401 when authorized with a wrong token',
        async () => {
          await openDocs();
          await authorize(`${user.token}x`);
          const shown = await tryAuthMe();
          expect(shown.status).toBe('401');
          expect(JSON.parse(shown.body)).toMatchObject({ status: 401 });
        },
        TIMEOUT,
      );
    });
  });
});
