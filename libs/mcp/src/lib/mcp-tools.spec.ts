import type { Principal } from '@agenthub/auth';
import type { OpenApiDocument } from '@agenthub/http';
import { buildTools, ToolArgumentsError, ToolSpec } from './mcp-tools';

const agent: Principal = { kind: 'agent', agentId: 'a-1', projectId: 'p-1', keyId: 'k-1' };
const user: Principal = { kind: 'user', userId: 'u-1', email: 'u@x.test', isSuperuser: false };
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });

const document: OpenApiDocument = {
  paths: {
    '/api/v1/things': {
      get: {
        operationId: 'listThings',
        summary: 'List things',
        parameters: [
          { in: 'query', name: 'status', schema: { type: 'string', enum: ['on', 'off'] } },
          { in: 'query', name: 'limit', schema: { type: 'integer' } },
        ],
        responses: { 200: json({ type: 'object', properties: { items: { type: 'array' } } }) },
      },
    },
    '/api/v1/things/claim': {
      post: {
        operationId: 'claimThing',
        summary: 'Claim a thing',
        requestBody: { required: false, ...json({ $ref: '#/components/schemas/ClaimDto' }) },
        responses: {
          200: json({ $ref: '#/components/schemas/Thing' }),
          204: { description: 'none' },
        },
      },
    },
    '/api/v1/agents/{id}/pings': {
      post: {
        operationId: 'ping',
        summary: 'Ping',
        description: 'Pings an agent.',
        parameters: [{ in: 'path', name: 'id', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, ...json({ $ref: '#/components/schemas/PingDto' }) },
        responses: { 201: json({ $ref: '#/components/schemas/Thing' }) },
      },
    },
    '/health/live': { get: { operationId: 'live', responses: {} } },
  },
  components: {
    schemas: {
      Thing: {
        type: 'object',
        properties: { id: { type: 'string' }, note: { type: 'string', nullable: true } },
        required: ['id'],
      },
      ClaimDto: { type: 'object', properties: { lease_seconds: { type: 'integer' } } },
      PingDto: {
        type: 'object',
        properties: { message: { type: 'string' }, loud: { type: 'boolean' } },
        required: ['message'],
      },
    },
  },
};

const SPECS: ToolSpec[] = [
  { name: 'list_things', operationId: 'listThings' },
  { name: 'claim_thing', operationId: 'claimThing', wrap: 'thing' },
  { name: 'ping', operationId: 'ping', idDefaultsToSelf: true },
];

describe('tools from the REST document', () => {
  const tools = buildTools(document, SPECS);

  it('takes path, query and body fields as arguments, with what each requires', () => {
    const ping = tools.get('ping')!.definition;
    expect(ping.description).toBe('Ping. Pings an agent.');
    expect(ping.inputSchema).toMatchObject({
      type: 'object',
      properties: {
        id: { type: 'string' },
        message: { type: 'string' },
        loud: { type: 'boolean' },
      },
      required: ['message'],
      additionalProperties: false,
    });
    expect(tools.get('list_things')!.definition.annotations).toMatchObject({ readOnlyHint: true });
  });

  it('roots the answer at an object: the body itself, or under its name when REST may answer 204', () => {
    expect(tools.get('ping')!.definition.outputSchema).toMatchObject({
      type: 'object',
      properties: { note: { type: ['string', 'null'] } },
    });
    expect(tools.get('claim_thing')!.definition.outputSchema).toMatchObject({
      type: 'object',
      properties: { thing: { anyOf: [{ $ref: '#/$defs/Thing' }, { type: 'null' }] } },
      required: ['thing'],
      $defs: { Thing: { type: 'object' } },
    });
    const claim = tools.get('claim_thing')!;
    expect(claim.structured(204, undefined)).toEqual({ thing: null });
    expect(claim.structured(200, { id: 't' })).toEqual({ thing: { id: 't' } });
  });

  it('makes the REST call: the path filled and encoded, query and body apart', () => {
    expect(tools.get('ping')!.restCall({ id: 'a/b', message: 'hi', loud: true }, user)).toEqual({
      method: 'POST',
      path: '/agents/a%2Fb/pings',
      query: undefined,
      body: { message: 'hi', loud: true },
    });
    expect(tools.get('list_things')!.restCall({ status: 'on', limit: 5 }, user)).toEqual({
      method: 'GET',
      path: '/things',
      query: { status: 'on', limit: 5 },
      body: undefined,
    });
  });

  it('defaults the id to the calling agent, and asks a user for one', () => {
    expect(tools.get('ping')!.restCall({ message: 'hi' }, agent).path).toBe('/agents/a-1/pings');
    expect(() => tools.get('ping')!.restCall({ message: 'hi' }, user)).toThrow(
      'id is required unless the caller is an agent',
    );
  });

  it('refuses, as REST validation would, arguments no field takes', () => {
    let error: unknown;
    try {
      tools.get('list_things')!.restCall({ colour: 'red', status: { on: true } }, user);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ToolArgumentsError);
    expect((error as ToolArgumentsError).problem).toMatchObject({
      status: 400,
      code: 'REQUEST.VALIDATION_FAILED',
      errors: {
        colour: ['unknown argument "colour" is not allowed'],
        status: [expect.stringContaining('must be a string, a number')],
      },
    });
    // A body takes any field: REST itself refuses the unknown ones.
    expect(tools.get('ping')!.restCall({ message: 'x', colour: 'red' }, agent).body).toEqual({
      message: 'x',
      colour: 'red',
    });
  });

  it('fails fast on a tool whose operation is missing or whose answer is no object', () => {
    expect(() => buildTools(document, [{ name: 'x', operationId: 'nope' }])).toThrow(
      'no operation nope',
    );
    expect(() => buildTools(document, [{ name: 'x', operationId: 'claimThing' }])).toThrow(
      'needs a wrap',
    );
  });
});
