import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BEARER_SCHEME } from '@agenthub/http';
import { useApiTestApp } from './create-api-test-app';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

type Operation = { security?: Record<string, string[]>[] };

describe('the OpenAPI document', () => {
  const ctx = useApiTestApp();

  async function served(): Promise<{ paths: Record<string, Record<string, Operation>> }> {
    const res = await ctx.t.request({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    return res.json();
  }

  // The CI staleness check: what the running app serves is what is committed.
  it('served at /docs/json is the committed apps/api/openapi.json (`npm run openapi`)', async () => {
    const committed = JSON.parse(readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8'));
    expect(await served()).toEqual(committed);
  });

  it('declares security on every operation: none for the public ones, bearer for the rest', async () => {
    const security: Record<string, Operation['security']> = {};
    for (const [path, item] of Object.entries((await served()).paths)) {
      for (const method of METHODS) {
        if (item[method]) security[`${method.toUpperCase()} ${path}`] = item[method].security;
      }
    }
    const open = Object.keys(security).filter((op) => security[op]?.length === 0);
    expect(open.sort()).toEqual([
      'GET /health/live',
      'GET /health/ready',
      'GET /metrics',
      'POST /api/v1/auth/login',
      'POST /api/v1/auth/register',
    ]);
    for (const op of Object.keys(security).filter((op) => !open.includes(op))) {
      expect({ op, security: security[op] }).toEqual({ op, security: [{ [BEARER_SCHEME]: [] }] });
    }
  });
});
