import { requestIdFor } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('requestIdFor', () => {
  it("keeps a well-formed caller's X-Request-Id", () => {
    expect(requestIdFor({ headers: { 'x-request-id': 'trace-01.a_b' } })).toBe('trace-01.a_b');
    expect(requestIdFor({ headers: { 'x-request-id': 'x'.repeat(128) } })).toBe('x'.repeat(128));
  });

  it('generates a UUID when the header is missing, too long, or carries odd characters', () => {
    for (const given of [undefined, '', 'x'.repeat(129), "a'b", 'a b', 'ünï', ['a', 'b']]) {
      const id = requestIdFor({ headers: { 'x-request-id': given } });
      expect(id).toMatch(UUID);
    }
    expect(requestIdFor({ headers: {} })).not.toBe(requestIdFor({ headers: {} }));
  });
});
