import { MIGRATIONS } from '@agenthub/migrations';
import { useApiTestApp } from './create-api-test-app';

describe('health', () => {
  describe('on a migrated database', () => {
    const ctx = useApiTestApp();

    it('is live and ready, outside the /api/v1 prefix', async () => {
      expect((await ctx.t.request({ method: 'GET', url: '/health/live' })).json()).toEqual({
        status: 'ok',
      });
      const ready = await ctx.t.request({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ok', checks: { database: 'ok', migrations: 'ok' } });
    });

    it('answers unknown routes with a problem+json 404', async () => {
      const res = await ctx.t.request({ method: 'GET', url: '/api/v1/unknown' });
      expect(res.statusCode).toBe(404);
      expect(res.headers['content-type']).toContain('application/problem+json');
    });
  });

  describe('on a database that was never migrated', () => {
    const ctx = useApiTestApp({ migrated: false });

    it('is live but not ready, and names the pending migrations', async () => {
      expect((await ctx.t.request({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
      const ready = await ctx.t.request({ method: 'GET', url: '/health/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({
        status: 'unavailable',
        checks: { database: 'ok', migrations: 'pending' },
        pending_migrations: MIGRATIONS.map((m) => m.name),
      });
    });
  });
});
