import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useApiTestApp } from './create-api-test-app';

/** A stand-in for `dist/apps/console`: what `vite build` writes (an index.html and hashed assets). */
function fakeBuild(): string {
  const dir = mkdtempSync(join(tmpdir(), 'agenthub-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><script type="module" src="/console/assets/index-abc123.js"></script>',
  );
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("console")');
  return dir;
}

describe('the console at /console', () => {
  describe('when built', () => {
    const dir = fakeBuild();
    const ctx = useApiTestApp({ env: { AGENTHUB_CONSOLE_DIR: dir } });

    it('serves its page with a policy that allows nothing from outside the API', async () => {
      const res = await ctx.t.request({ method: 'GET', url: '/console' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('/console/assets/index-abc123.js');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
      expect(res.headers['content-security-policy']).toContain("connect-src 'self'");
      expect(res.headers['cache-control']).toBe('no-cache');
    });

    it('answers every client route with the page, so a deep link opens it', async () => {
      for (const url of ['/console/', '/console/projects/8d0c/queue?status=pending']) {
        const res = await ctx.t.request({ method: 'GET', url });
        expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
        expect(res.body).toContain('index-abc123.js');
      }
    });

    it('serves hashed assets as immutable, and a missing one as a 404 problem', async () => {
      const asset = await ctx.t.request({ method: 'GET', url: '/console/assets/index-abc123.js' });
      expect(asset.statusCode).toBe(200);
      expect(asset.headers['content-type']).toMatch(/javascript/);
      expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');

      const missing = await ctx.t.request({ method: 'GET', url: '/console/assets/index-old.js' });
      expect(missing.statusCode).toBe(404);
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(missing.json()).toMatchObject({ code: 'RESOURCE.NOT_FOUND' });
    });

    it('needs no token: the data it shows comes from the API with the user’s own', async () => {
      const res = await ctx.t.request({ method: 'GET', url: '/console/projects' });
      expect(res.statusCode).toBe(200);
    });
  });

  describe('when not built', () => {
    const ctx = useApiTestApp({ env: { AGENTHUB_CONSOLE_DIR: join(tmpdir(), 'no-console-here') } });

    it('answers a 404 problem that says how to build it', async () => {
      const res = await ctx.t.request({ method: 'GET', url: '/console/projects' });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({
        code: 'CONSOLE.NOT_BUILT',
        detail: expect.stringContaining('npx nx build console'),
      });
    });
  });
});
