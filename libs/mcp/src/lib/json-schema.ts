import { isJsonObject, orNull } from '@agenthub/http';

/** A JSON Schema (or an OpenAPI 3.0 schema object) as plain JSON. */
export type JsonSchema = Record<string, unknown>;

const COMPONENT_REF = '#/components/schemas/';

/** Keywords whose value is one schema. */
const SCHEMA_KEYWORDS = ['items', 'not', 'additionalProperties'];
/** Keywords whose value is a list of schemas. */
const SCHEMA_LIST_KEYWORDS = ['allOf', 'anyOf', 'oneOf'];
/** OpenAPI-only keywords a JSON Schema validator would not understand (or would misread). */
const OPENAPI_ONLY = ['nullable', 'discriminator', 'example', 'xml', 'externalDocs'];

/**
 * Turns the OpenAPI 3.0 schemas of the REST document into JSON Schema (2020-12, which MCP
 * declares by default, and which the SDK's validator reads): `nullable` becomes a `null`
 * type, `example` becomes `examples`, and `#/components/schemas/X` references become
 * `#/$defs/X`, every schema they reach collected into `$defs`. A tool's schema then stands
 * on its own, and a client validating `structuredContent` against it checks exactly what
 * REST answers.
 */
export class SchemaConverter {
  private readonly defs = new Map<string, JsonSchema>();

  constructor(private readonly components: Record<string, unknown>) {}

  /** `schema` in JSON Schema, its references pointing into {@link definitions}. */
  convert(schema: unknown): JsonSchema {
    if (!isJsonObject(schema)) throw new Error('a schema must be an object');
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(schema)) {
      if (OPENAPI_ONLY.includes(key)) continue;
      if (key === '$ref') out[key] = this.ref(String(value));
      else if (key === 'properties' && isJsonObject(value))
        out[key] = Object.fromEntries(
          Object.entries(value).map(([name, property]) => [name, this.convert(property)]),
        );
      else if (SCHEMA_KEYWORDS.includes(key) && isJsonObject(value)) out[key] = this.convert(value);
      else if (SCHEMA_LIST_KEYWORDS.includes(key) && Array.isArray(value))
        out[key] = value.map((item) => this.convert(item));
      else out[key] = value;
    }
    if ('example' in schema && !('examples' in schema)) out['examples'] = [schema['example']];
    return schema['nullable'] === true ? orNull(out) : out;
  }

  /** The component schema `name` itself, converted (not a reference to it). */
  component(name: string): JsonSchema {
    const schema = this.components[name];
    if (!isJsonObject(schema)) throw new Error(`the document has no schema ${name}`);
    return this.convert(schema);
  }

  /** Every component schema the converted schemas referenced, by name. */
  definitions(): Record<string, JsonSchema> {
    return Object.fromEntries([...this.defs.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  private ref(ref: string): string {
    if (!ref.startsWith(COMPONENT_REF)) throw new Error(`unsupported reference ${ref}`);
    const name = ref.slice(COMPONENT_REF.length);
    if (!this.defs.has(name)) {
      // Placeholder first: a schema that refers to itself (directly or not) stops here.
      this.defs.set(name, {});
      this.defs.set(name, this.component(name));
    }
    return `#/$defs/${name}`;
  }
}
