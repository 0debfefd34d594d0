import { createHash } from 'node:crypto';

/**
 * The namespace of every id the importer derives (UUIDv5). Never change it: re-imports find
 * their rows by it.
 */
export const IMPORT_NAMESPACE = '6f1b0d2e-3c4a-5b6d-8e7f-9a0b1c2d3e4f';

const DASHED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX32 = /^[0-9a-f]{32}$/i;

/**
 * A legacy id that already is a UUID (dashed, or the 32 hex digits SQLAlchemy writes on SQLite,
 * as the broker does), in canonical form; else null.
 */
export function asUuid(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const v = value.trim();
  if (DASHED.test(v)) return v.toLowerCase();
  if (HEX32.test(v)) {
    const h = v.toLowerCase();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  return null;
}

/** Namespaces as bytes: an import derives an id for every row, all in one or two namespaces. */
const namespaceBytes = new Map<string, Buffer>();

/** RFC 4122 UUIDv5 (SHA-1) of `name` in `namespace`. */
export function uuidV5(namespace: string, name: string): string {
  let ns = namespaceBytes.get(namespace);
  if (ns === undefined) {
    ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
    namespaceBytes.set(namespace, ns);
  }
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const h = bytes.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The id a legacy row gets: its own when it is a UUID, else UUIDv5 of (namespace, source kind,
 * target project or "-" for the broker, table, legacy id): deterministic, so references line
 * up and a second import finds the same rows. The table is part of the name because phase-1
 * agents and tasks have separate id spaces.
 */
export function importedId(
  kind: string,
  projectId: string,
  table: string,
  legacyId: string,
): { id: string; kept: boolean } {
  const kept = asUuid(legacyId);
  if (kept) return { id: kept, kept: true };
  return { id: uuidV5(IMPORT_NAMESPACE, `${kind}/${projectId}/${table}/${legacyId}`), kept: false };
}

/** Id of a row the importer makes up from others (a capability detail of an agent). */
export function derivedId(...parts: string[]): string {
  return uuidV5(IMPORT_NAMESPACE, parts.join('/'));
}
