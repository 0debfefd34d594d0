import type { FastifyRequest } from 'fastify';
import { FieldErrors, InvalidInputError } from '@agenthub/errors';

const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';
const SURROGATE_MESSAGE = 'must not contain a lone UTF-16 surrogate (malformed Unicode)';
// String.prototype.isWellFormed is ES2024; the project's lib is ES2023.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why PostgreSQL would refuse this string (text and jsonb refuse U+0000, jsonb a lone surrogate). */
function flaw(text: string): string | undefined {
  if (text.includes('\u0000')) return NUL_MESSAGE;
  if (LONE_SURROGATE.test(text)) return SURROGATE_MESSAGE;
  return undefined;
}

/** A key as a path segment a reader can see (a NUL would vanish in most terminals). */
const shown = (key: string) => key.split('\u0000').join('\\u0000');

/**
 * How deep a request's JSON may nest. Deeper documents are refused: every recursive reader
 * after this one (class-transformer, class-validator, the JSON serializer) would run out of
 * stack on them and answer 500; no field of the API needs more than a few levels.
 */
export const MAX_JSON_DEPTH = 64;
const TOO_DEEP_MESSAGE = `must not nest deeper than ${MAX_JSON_DEPTH} levels`;

/**
 * Every string and object key in `value` that PostgreSQL could not store, and any nesting
 * deeper than MAX_JSON_DEPTH, as field errors keyed by path (`title`, `config.deep.0.key`),
 * the same paths class-validator reports. Iterative, so no input can exhaust the stack.
 */
export function unstorableText(value: unknown): FieldErrors {
  const out: FieldErrors = {};
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value: v, path, depth } = item;
    if (typeof v === 'string') {
      const message = flaw(v);
      if (message) out[path || 'value'] = [message];
    } else if (v !== null && typeof v === 'object') {
      if (depth >= MAX_JSON_DEPTH) {
        out[path] = [TOO_DEEP_MESSAGE];
        continue;
      }
      const entries = Array.isArray(v)
        ? v.map((e, i) => [String(i), e] as const)
        : Object.entries(v);
      for (const [key, child] of entries) {
        const at = join(path, shown(key));
        const keyFlaw = Array.isArray(v) ? undefined : flaw(key);
        if (keyFlaw) out[at] = [`key ${keyFlaw}`];
        else stack.push({ value: child, path: at, depth: depth + 1 });
      }
    }
  }
  return out;
}

/**
 * A Fastify preValidation hook: refuses a request whose body, query or path parameters hold
 * a string PostgreSQL cannot store (or nest too deep), before any route runs. Without it such a string reaches
 * the database and the answer is a 500; one rule here covers every route and every DTO.
 */
export async function refuseUnstorableText(request: FastifyRequest): Promise<void> {
  const errors = {
    ...unstorableText(request.params),
    ...unstorableText(request.query),
    ...unstorableText(request.body),
  };
  const fields = Object.keys(errors);
  if (fields.length > 0) {
    const tooDeep = fields.some((f) => errors[f][0] === TOO_DEEP_MESSAGE);
    throw new InvalidInputError(
      tooDeep ? 'REQUEST.NESTED_TOO_DEEP' : 'REQUEST.INVALID_CHARACTER',
      `Invalid request: ${fields.map((f) => `${f} (${errors[f][0]})`).join('; ')}`,
      errors,
    );
  }
}
