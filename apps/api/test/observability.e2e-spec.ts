import { createTestDatabase, TestApp, TestDatabase } from '@agenthub/testing';
import { createApiTestApp } from './create-api-test-app';

describe('GET /metrics', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createApiTestApp(db.url);
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('exposes Prometheus metrics with request durations labelled by route pattern', async () => {
    await t.request({ method: 'GET', url: '/health/live' });
    await t.request({ method: 'GET', url: '/api/v1/no-such-route/123' });
    const res = await t.request({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('process_cpu_user_seconds_total');
    expect(res.body).toMatch(/http_request_duration_seconds_count\{[^}]*method="GET"[^}]*route="\/health\/live"[^}]*status="200"/);
    // Unmatched URLs never become labels of their own.
    expect(res.body).not.toContain('no-such-route');
  });
});

describe('OpenAPI', () => {
  let db: TestDatabase;
  let t: TestApp;
  beforeAll(async () => {
    db = await createTestDatabase();
    t = await createApiTestApp(db.url);
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });

  it('serves the OpenAPI document and Swagger UI', async () => {
    const json = await t.request({ method: 'GET', url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({ openapi: expect.stringMatching(/^3\./), info: { title: 'AgentHub API' } });
    const ui = await t.request({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });
});
