/** Views kept in the URL's search parameters: reading them safely, changing them. */
import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';

/** The value if it is one of `values`, else nothing. */
export const oneOf = <T extends string>(
  values: readonly T[],
  value: string | null,
): T | undefined => values.find((v) => v === value);

/** A list's offset as the URL says it: a positive integer, else 0. */
export const offsetOf = (value: string | null): number => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 ? n : 0;
};

/**
 * The `offset` parameter of a page with one list, read and set; each page is a history entry.
 * An offset the URL gets wrong counts as 0.
 */
export function usePageOffset(): [number, (offset: number) => void] {
  const [params, setParams] = useSearchParams();
  const offset = Math.max(0, Number(params.get('offset')) || 0);
  const setOffset = (next: number) => {
    const nextParams = new URLSearchParams(params);
    if (next > 0) nextParams.set('offset', String(next));
    else nextParams.delete('offset');
    setParams(nextParams);
  };
  return [offset, setOffset];
}

/**
 * The URL's parameters with `name` set to `value` (removed when empty). Any change of the
 * view but the page itself starts again at the first page.
 */
export function withParam(
  params: URLSearchParams,
  name: string,
  value: string | number | null | undefined,
): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value === null || value === undefined || value === '' || (name === 'offset' && !value))
    next.delete(name);
  else next.set(name, String(value));
  if (name !== 'offset') next.delete('offset');
  return next;
}

/** How a parameter's change makes the next URL (`withParam`, or a page's own rule). */
export type ParamUpdate = (
  params: URLSearchParams,
  name: string,
  value: string | number | null | undefined,
) => URLSearchParams;

/**
 * One URL parameter, read and set (setting it replaces the history entry); `update` makes the
 * next parameters (which page of which list to go back to).
 */
export function useParam(
  name: string,
  update: ParamUpdate = withParam,
): [string, (value: string | number | null) => void] {
  const [params, setParams] = useSearchParams();
  const set = (value: string | number | null) =>
    setParams((current) => update(current, name, value), { replace: true });
  return [params.get(name) ?? '', set];
}

/**
 * A search box kept in the URL parameter `name`: the text follows the typing at once, the
 * URL (and so the request) once the typing pauses for `delayMs`.
 */
export function useDebouncedParam(name: string, delayMs = 300): [string, (text: string) => void] {
  const [value, setValue] = useParam(name);
  const [text, setText] = useState(value);
  const [seen, setSeen] = useState(value);
  // The URL changed by itself (back, a link): the box shows what it now says (and keeps a
  // trailing space of what is being typed).
  if (value !== seen) {
    setSeen(value);
    if (text.trim() !== value.trim()) setText(value);
  }
  useEffect(() => {
    if (text.trim() === value.trim()) return;
    const timer = setTimeout(() => setValue(text.trim() || null), delayMs);
    return () => clearTimeout(timer);
  }, [text, value, delayMs, setValue]);
  return [text, setText];
}
