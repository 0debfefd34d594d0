import { useApiTestApp } from './create-api-test-app';

describe('GET /metrics', () => {
  const ctx = useApiTestApp();

  it('exposes Prometheus metrics with request durations labelled by route pattern', async () => {
    await ctx.t.request({ method: 'GET', url: '/health/live' });
    await ctx.t.request({ method: 'GET', url: '/api/v1/no-such-route/123' });
    const res = await ctx.t.request({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toContain('process_cpu_user_seconds_total');
    expect(res.body).toMatch(
      /http_request_duration_seconds_count\{[^}]*method="GET"[^}]*route="\/health\/live"[^}]*status="200"/,
    );
    // Unmatched URLs never become labels of their own.
    expect(res.body).not.toContain('no-such-route');
  });
});

describe('OpenAPI', () => {
  const ctx = useApiTestApp();

  it('serves the OpenAPI document and Swagger UI', async () => {
    const json = await ctx.t.request({ method: 'GET', url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toMatchObject({
      openapi: expect.stringMatching(/^3\./),
      info: { title: 'AgentHub API' },
    });
    const ui = await ctx.t.request({ method: 'GET', url: '/docs' });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers['content-type']).toContain('text/html');
  });
});
