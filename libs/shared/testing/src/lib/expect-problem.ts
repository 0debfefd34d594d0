import type { LightMyRequestResponse } from 'fastify';

/** Asserts a problem+json answer with this status (and this `code`, when given). */
export function expectProblem(res: LightMyRequestResponse, status: number, code?: string): void {
  expect({ status: res.statusCode, type: res.headers['content-type'] }).toEqual({
    status,
    type: expect.stringContaining('application/problem+json'),
  });
  if (code) expect(res.json().code).toBe(code);
}
