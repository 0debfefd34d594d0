import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { SchemaConverter } from './json-schema';

const components = {
  Task: {
    type: 'object',
    properties: {
      id: { type: 'string', format: 'uuid' },
      result: { type: 'object', nullable: true, additionalProperties: true },
      assigned_to_type: { type: 'string', enum: ['agent', 'user'], nullable: true },
      parent: { allOf: [{ $ref: '#/components/schemas/Task' }], nullable: true },
      owner: { $ref: '#/components/schemas/User' },
      title: { type: 'string', example: 'Ship it' },
    },
    required: ['id', 'result', 'assigned_to_type', 'owner'],
  },
  User: {
    type: 'object',
    properties: { properties: { type: 'string' }, nullable: { type: 'boolean' } },
  },
};

/** The SDK client's validator, configured as the SDK configures it. */
function validator(schema: object) {
  const ajv = new Ajv({
    strict: false,
    validateFormats: true,
    validateSchema: false,
    allErrors: true,
  });
  addFormats(ajv);
  return ajv.compile(schema);
}

describe('SchemaConverter: OpenAPI 3.0 schemas as JSON Schema', () => {
  const converter = new SchemaConverter(components);
  const task = converter.component('Task');
  const schema = { ...task, $defs: converter.definitions() };

  it('turns nullable into a null type, and a nullable enum admits null', () => {
    expect(task['properties']).toMatchObject({
      result: { type: ['object', 'null'], additionalProperties: true },
      assigned_to_type: { type: ['string', 'null'], enum: ['agent', 'user', null] },
    });
    expect(JSON.stringify(schema)).not.toContain('nullable":true');
  });

  it('makes a nullable reference "it or null" and collects what references reach into $defs', () => {
    expect((task['properties'] as Record<string, unknown>)['parent']).toEqual({
      anyOf: [{ allOf: [{ $ref: '#/$defs/Task' }] }, { type: 'null' }],
    });
    expect(Object.keys(schema.$defs)).toEqual(['Task', 'User']);
  });

  it('keeps property names that look like keywords, and turns example into examples', () => {
    expect(converter.component('User')['properties']).toEqual({
      properties: { type: 'string' },
      nullable: { type: 'boolean' },
    });
    expect((task['properties'] as Record<string, unknown>)['title']).toEqual({
      type: 'string',
      examples: ['Ship it'],
    });
  });

  it('validates what REST answers, nulls included, and refuses what it never answers', () => {
    const validate = validator(schema);
    const answer = {
      id: '6f1c1f7e-8a8e-4c39-9a53-2a4a0d5f3c11',
      result: null,
      assigned_to_type: null,
      parent: null,
      owner: { properties: 'x' },
    };
    expect(validate(answer)).toBe(true);
    expect(validate({ ...answer, assigned_to_type: 'robot' })).toBe(false);
    expect(validate({ ...answer, id: 'not-a-uuid' })).toBe(false);
  });

  it('refuses a reference outside the components', () => {
    expect(() => new SchemaConverter({}).convert({ $ref: 'http://example.com/x' })).toThrow(
      'unsupported reference',
    );
  });
});
