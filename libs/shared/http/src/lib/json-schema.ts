/** A JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A JSON Schema that also admits `null`: what OpenAPI 3.0's `nullable: true` means, for a
 * JSON Schema validator that does not know `nullable`. A `type` gains `null` (an `enum` too);
 * a schema without one (a reference, a composition) becomes `anyOf` it or null, keeping its
 * description outside.
 */
export function orNull(schema: Record<string, unknown>): Record<string, unknown> {
  const type = schema['type'];
  if (typeof type === 'string') {
    const out: Record<string, unknown> = { ...schema, type: [type, 'null'] };
    if (Array.isArray(schema['enum']) && !schema['enum'].includes(null))
      out['enum'] = [...schema['enum'], null];
    return out;
  }
  if (Array.isArray(type))
    return type.includes('null') ? schema : { ...schema, type: [...type, 'null'] };
  const { description, ...rest } = schema;
  return {
    ...(description === undefined ? {} : { description }),
    anyOf: [rest, { type: 'null' }],
  };
}
