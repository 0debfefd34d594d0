/** A legacy enum's mapping: the stored value of each legacy value, and of any other. */
export interface EnumMapping {
  /** keyed by the lowercased legacy value */
  values: Record<string, string>;
  fallback: string;
}

/**
 * The enum mapping tables (docs/legacy-import.md, "Enum mapping", lists them). The lookup is
 * case-insensitive; a value not listed maps to the fallback. Whenever the stored value differs
 * from the original (even only in case), the original is kept on the row and reported.
 */
export const TASK_STATUS: EnumMapping = {
  fallback: 'pending',
  values: {
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
  },
};

export const TASK_PRIORITY: EnumMapping = {
  fallback: 'medium',
  values: {
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
  },
};

export const AGENT_STATUS: EnumMapping = {
  fallback: 'offline',
  values: {
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
  },
};

export const API_KEY_STATUS: EnumMapping = {
  fallback: 'revoked',
  values: {
    active: 'active',
    revoked: 'revoked',
    expired: 'revoked',
    disabled: 'revoked',
    inactive: 'revoked',
  },
};

export interface Mapped {
  value: string;
  /** whether the stored value differs from the original (a missing original is not a change) */
  changed: boolean;
  /** the original as text; null when the source had no value */
  original: string | null;
}

/**
 * Maps a legacy enum value. A missing value takes the fallback without a report: for tasks and
 * agents that is the column's default; a key with no status is revoked, the safe side.
 */
export function mapEnum(mapping: EnumMapping, original: unknown): Mapped {
  const text = original === '' ? null : textOf(original);
  if (text === null) return { value: mapping.fallback, changed: false, original: null };
  const value = mapping.values[text.trim().toLowerCase()] ?? mapping.fallback;
  return { value, changed: value !== text, original: text };
}

/**
 * A legacy value as text, or null when there is none. Text stays as it is; a number, bigint or
 * boolean reads as String() writes it; a BLOB (a Buffer from SQLite) as its UTF-8 text; an
 * object or array (parsed JSON: a registry field, a broker JSON column) as JSON text, where
 * String() would give "[object Object]".
 */
export function textOf(value: NonNullable<unknown>): string;
export function textOf(value: unknown): string | null;
export function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  // Only a function or a symbol has no JSON text; no legacy store holds one.
  return JSON.stringify(value) ?? '';
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
  const m = TIMESTAMP.exec(textOf(raw).trim());
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
