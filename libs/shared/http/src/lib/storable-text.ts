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
 * Every string and object key in `value` that PostgreSQL could not store, as field errors
 * keyed by path (`title`, `config.deep.0.key`), the same paths class-validator reports.
 */
export function unstorableText(value: unknown, path = '', out: FieldErrors = {}): FieldErrors {
  if (typeof value === 'string') {
    const message = flaw(value);
    if (message) out[path || 'value'] = [message];
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => unstorableText(item, path ? `${path}.${i}` : String(i), out));
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const at = path ? `${path}.${shown(key)}` : shown(key);
      const keyFlaw = flaw(key);
      if (keyFlaw) out[at] = [`key ${keyFlaw}`];
      else unstorableText(item, at, out);
    }
  }
  return out;
}

/**
 * A Fastify preValidation hook: refuses a request whose body, query or path parameters hold
 * a string PostgreSQL cannot store, before any route runs. Without it such a string reaches
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
    throw new InvalidInputError(
      'REQUEST.INVALID_CHARACTER',
      `Invalid request: ${fields.map((f) => `${f} (${errors[f][0]})`).join('; ')}`,
      errors,
    );
  }
}
