/**
 * The enum mapping table (README, "Migrator" → "import"). Keys are lowercased legacy values;
 * the lookup is case-insensitive. A value not listed maps to the fallback. Whenever the stored
 * value differs from the original (even only in case), the original is kept on the row and
 * reported.
 */
export const TASK_STATUS_MAP: Record<string, string> = {
  pending: 'pending',
  todo: 'pending',
  new: 'pending',
  open: 'pending',
  queued: 'pending',
  waiting: 'pending',
  created: 'pending',
  in_progress: 'in_progress',
  'in-progress': 'in_progress',
  inprogress: 'in_progress',
  running: 'in_progress',
  active: 'in_progress',
  started: 'in_progress',
  working: 'in_progress',
  assigned: 'in_progress',
  processing: 'in_progress',
  completed: 'completed',
  complete: 'completed',
  done: 'completed',
  finished: 'completed',
  success: 'completed',
  succeeded: 'completed',
  failed: 'failed',
  failure: 'failed',
  error: 'failed',
  errored: 'failed',
  cancelled: 'cancelled',
  canceled: 'cancelled',
  aborted: 'cancelled',
  skipped: 'cancelled',
};
export const TASK_STATUS_FALLBACK = 'pending';

export const TASK_PRIORITY_MAP: Record<string, string> = {
  low: 'low',
  lowest: 'low',
  minor: 'low',
  trivial: 'low',
  p3: 'low',
  p4: 'low',
  medium: 'medium',
  normal: 'medium',
  default: 'medium',
  moderate: 'medium',
  p2: 'medium',
  high: 'high',
  important: 'high',
  major: 'high',
  p1: 'high',
  urgent: 'urgent',
  critical: 'urgent',
  highest: 'urgent',
  blocker: 'urgent',
  p0: 'urgent',
};
export const TASK_PRIORITY_FALLBACK = 'medium';

export const AGENT_STATUS_MAP: Record<string, string> = {
  offline: 'offline',
  sleeping: 'offline',
  stopped: 'offline',
  paused: 'offline',
  inactive: 'offline',
  disabled: 'offline',
  online: 'online',
  connected: 'online',
  idle: 'idle',
  available: 'idle',
  ready: 'idle',
  active: 'active',
  busy: 'busy',
  working: 'busy',
  running: 'busy',
  error: 'error',
  failed: 'error',
  crashed: 'error',
};
export const AGENT_STATUS_FALLBACK = 'offline';

export const API_KEY_STATUS_MAP: Record<string, string> = {
  active: 'active',
  revoked: 'revoked',
  expired: 'revoked',
  disabled: 'revoked',
  inactive: 'revoked',
};
export const API_KEY_STATUS_FALLBACK = 'revoked';

export interface Mapped {
  value: string;
  /** the original, when the stored value differs from it (null: the source had no value) */
  changed: boolean;
  original: string | null;
}

/** Maps a legacy enum value through `table`; a missing value takes the fallback silently (it is the column default). */
export function mapEnum(
  table: Record<string, string>,
  fallback: string,
  original: unknown,
): Mapped {
  if (original === null || original === undefined || original === '')
    return { value: fallback, changed: false, original: null };
  const text = String(original);
  const value = table[text.trim().toLowerCase()] ?? fallback;
  return { value, changed: value !== text, original: text };
}

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

export type ParsedTime = { ok: true; value: string } | { ok: false; missing: boolean };

/**
 * Reads the timestamp shapes seen in the legacy stores: `YYYY-MM-DD HH:MM:SS[.ffffff]`, ISO
 * 8601 with or without `Z` or an offset, a bare date, epoch milliseconds (numbers). Without a
 * zone it is UTC. Answers an ISO string PostgreSQL parses losslessly (microseconds kept).
 */
export function parseTimestamp(raw: unknown): ParsedTime {
  if (raw === null || raw === undefined || raw === '') return { ok: false, missing: true };
  if (typeof raw === 'number') {
    const d = new Date(raw);
    return Number.isFinite(raw) && !Number.isNaN(d.getTime())
      ? { ok: true, value: d.toISOString() }
      : { ok: false, missing: false };
  }
  const m = TIMESTAMP.exec(String(raw).trim());
  if (!m) return { ok: false, missing: false };
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac, zone] = m;
  const check = new Date(
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)),
  );
  if (
    check.getUTCFullYear() !== Number(y) ||
    check.getUTCMonth() !== Number(mo) - 1 ||
    check.getUTCDate() !== Number(d) ||
    Number(h) > 23 ||
    Number(mi) > 59 ||
    Number(s) > 59
  ) {
    return { ok: false, missing: false };
  }
  let tz = !zone || zone === 'z' || zone === 'Z' ? 'Z' : zone;
  if (/^[+-]\d{2}$/.test(tz)) tz = `${tz}:00`;
  else if (/^[+-]\d{4}$/.test(tz)) tz = `${tz.slice(0, 3)}:${tz.slice(3)}`;
  return {
    ok: true,
    value: `${y}-${mo}-${d}T${h}:${mi}:${s}${frac ? `.${frac.slice(0, 6)}` : ''}${tz}`,
  };
}

export interface ParsedCapabilities {
  names: string[];
  /** name → confidence (0..1), for the object form */
  confidences: Map<string, number>;
  /** the verbatim text, when it was not JSON (kept in config.legacy_capabilities) */
  verbatim: string | null;
  /** confidences outside 0..1, clamped */
  clamped: { name: string; from: number; to: number }[];
}

/**
 * Capabilities as phase 1 and the broker stored them: a JSON list of names stays a list; a
 * JSON object of name → number becomes names with confidences; anything else (text that is
 * not JSON, JSON of another shape) is kept verbatim and split on commas.
 */
export function parseCapabilities(raw: unknown): ParsedCapabilities {
  const result: ParsedCapabilities = {
    names: [],
    confidences: new Map(),
    verbatim: null,
    clamped: [],
  };
  if (raw === null || raw === undefined || raw === '') return result;
  let value: unknown = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      value = undefined;
    }
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    result.names = unique(value.map((v) => v.trim()).filter((v) => v !== ''));
    return result;
  }
  if (
    value &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    Object.values(value).every((v) => typeof v === 'number')
  ) {
    for (const [name, score] of Object.entries(value as Record<string, number>)) {
      const key = name.trim();
      if (!key || result.confidences.has(key)) continue;
      const to = Math.min(1, Math.max(0, Math.round(score * 100) / 100));
      if (to !== score) result.clamped.push({ name: key, from: score, to });
      result.confidences.set(key, to);
      result.names.push(key);
    }
    return result;
  }
  const text = typeof raw === 'string' ? raw : JSON.stringify(raw);
  result.verbatim = text;
  result.names = unique(
    text
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== ''),
  );
  return result;
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
