import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { LegacyImportError } from './context';

/**
 * Streams the elements of a top-level JSON array, one parsed value at a time, so memory stays
 * bounded by the largest element rather than the file. Anything that is not a well-formed
 * array (truncated, trailing garbage, a bad element) is a LegacyImportError naming the byte.
 */
export async function* jsonArrayElements(path: string): AsyncGenerator<unknown> {
  const decoder = new StringDecoder('utf8');
  let state: 'before' | 'element' | 'after-element' | 'done' = 'before';
  let depth = 0;
  let inString = false;
  let escaped = false;
  let current = '';
  let offset = 0;
  let sawComma = false;
  const fail = (what: string): never => {
    throw new LegacyImportError(
      `${path} is not valid JSON (an array of agents was expected): ${what} near byte ${offset}`,
    );
  };
  const parse = (text: string): unknown => {
    try {
      return JSON.parse(text);
    } catch (error) {
      return fail((error as Error).message);
    }
  };

  for await (const chunk of createReadStream(path)) {
    const text = decoder.write(chunk as Buffer);
    const out: unknown[] = [];
    for (let i = 0; i < text.length; i++, offset++) {
      const c = text[i];
      if (state === 'element') {
        if (inString) {
          current += c;
          if (escaped) escaped = false;
          else if (c === '\\') escaped = true;
          else if (c === '"') inString = false;
          continue;
        }
        if (c === '"') inString = true;
        else if (c === '{' || c === '[') depth++;
        else if (c === '}' || c === ']') {
          if (depth === 0) {
            if (c === '}') fail('unexpected "}"');
            if (current.trim() !== '') out.push(parse(current));
            else if (sawComma) fail('trailing comma');
            current = '';
            state = 'done';
            continue;
          }
          depth--;
        } else if (c === ',' && depth === 0) {
          if (current.trim() === '') fail('empty element');
          out.push(parse(current));
          current = '';
          sawComma = true;
          continue;
        }
        current += c;
      } else if (state === 'before') {
        if (c === '[') {
          state = 'element';
          sawComma = false;
        } else if (!/\s/.test(c) && !(offset === 0 && c === '\ufeff')) fail('expected "["');
      } else if (state === 'done' && !/\s/.test(c)) {
        fail('unexpected text after the array');
      }
    }
    for (const value of out) yield value;
  }
  if (state !== 'done') fail('the file ends before the array does (truncated?)');
}
