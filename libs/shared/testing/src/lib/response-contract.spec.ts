import { ObservedResponse, OpenApiDocument, responseContract } from './response-contract';

const problem = {
  'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
};
const document: OpenApiDocument = {
  paths: {
    '/things/{id}': {
      get: {
        operationId: 'getThing',
        responses: {
          200: {
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } },
          },
          404: { description: 'Not found. Codes: `THING.NOT_FOUND`.', content: problem },
        },
      },
      delete: { operationId: 'deleteThing', responses: { 204: { description: 'Deleted.' } } },
    },
    '/things/first': {
      get: {
        operationId: 'firstThing',
        responses: { 200: { content: { 'text/plain': { schema: { type: 'string' } } } } },
      },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        required: ['id', 'note', 'kind'],
        properties: {
          id: { type: 'string', format: 'uuid' },
          note: { type: 'string', nullable: true },
          kind: { type: 'string', enum: ['a', 'b'], nullable: true },
          owner: { allOf: [{ $ref: '#/components/schemas/Owner' }], nullable: true },
        },
      },
      Owner: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
      Problem: {
        type: 'object',
        required: ['status', 'title'],
        properties: { status: { type: 'integer' }, title: { type: 'string' } },
      },
    },
  },
};

const ID = '6f1c8d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f';
const check = responseContract(document);
const json = (status: number, body: unknown, type = 'application/json; charset=utf-8') =>
  ({ status, contentType: type, body: JSON.stringify(body) }) as const;
const answer =
  (method: string, url: string, rest: Omit<ObservedResponse, 'method' | 'url'>) => () =>
    check({ method, url, ...rest });

describe('responseContract', () => {
  it("refuses a problem whose code the response's description does not list", () => {
    const notFound = (code?: string) =>
      answer(
        'GET',
        `/things/${ID}`,
        json(
          404,
          { status: 404, title: 'x', ...(code ? { code } : {}) },
          'application/problem+json',
        ),
      );
    expect(notFound('THING.NOT_FOUND')).not.toThrow();
    expect(notFound()).not.toThrow();
    expect(notFound('THING.GONE')).toThrow(
      /getThing documents no code THING\.GONE for 404 \(listed: THING\.NOT_FOUND\)/,
    );
  });

  it('accepts what the document describes: $refs, nullable strings, enums and $ref wrappers', () => {
    for (const body of [
      { id: ID, note: null, kind: null, owner: null },
      { id: ID, note: 'n', kind: 'a', owner: { name: 'ada' } },
    ]) {
      expect(answer('GET', `/things/${ID}?x=1`, json(200, body))).not.toThrow();
    }
  });

  it('refuses a body that breaks the schema, naming the operation and what is wrong', () => {
    expect(answer('GET', `/things/${ID}`, json(200, { id: 'nope', note: 1, kind: 'c' }))).toThrow(
      /GET \/things\/.+ → 200.*getThing's 200 schema[\s\S]*body\/id must match format "uuid"/,
    );
  });

  it('refuses a status, a media type or a body the operation does not document', () => {
    expect(answer('GET', `/things/${ID}`, json(201, {}))).toThrow(
      /getThing documents no 201 response \(documented: 200, 404\)/,
    );
    expect(answer('GET', `/things/${ID}`, json(404, { status: 404, title: 'x' }))).toThrow(
      /documented as application\/problem\+json, not application\/json/,
    );
    expect(answer('DELETE', `/things/${ID}`, json(204, {}))).toThrow(/documents no body for 204/);
    expect(
      answer('DELETE', `/things/${ID}`, { status: 204, contentType: undefined, body: '' }),
    ).not.toThrow();
  });

  it('matches a literal path before a template', () => {
    expect(
      answer('GET', '/things/first', { status: 200, contentType: 'text/plain', body: 'hi' }),
    ).not.toThrow();
  });

  it("accepts unrouted 4xx and a 500 only as the document's problem+json", () => {
    const problemBody = { status: 404, title: 'Not Found' };
    const asProblem = 'application/problem+json; charset=utf-8';
    expect(answer('GET', '/nowhere', json(404, problemBody, asProblem))).not.toThrow();
    expect(answer('PUT', `/things/${ID}`, json(404, problemBody, asProblem))).not.toThrow();
    expect(
      answer('GET', `/things/${ID}`, json(500, { status: 500, title: 'x' }, asProblem)),
    ).not.toThrow();
    expect(answer('GET', '/nowhere', json(404, { oops: true }, asProblem))).toThrow(
      /problem schema/,
    );
    expect(answer('GET', '/nowhere', json(200, {}))).toThrow(/no path matches/);
    expect(answer('GET', `/things/${ID}`, json(500, problemBody))).toThrow(
      /not application\/problem\+json/,
    );
  });

  it('leaves Swagger UI and the document alone', () => {
    expect(
      answer('GET', '/docs/json', { status: 200, contentType: 'text/html', body: '<html>' }),
    ).not.toThrow();
  });
});
