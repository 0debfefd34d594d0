import { createHash, randomBytes } from 'node:crypto';
import { AGENT_KEY_PREFIX } from '@agenthub/auth';

// Every key AgentHub issues starts with AGENT_KEY_PREFIX (`ahk_`): the auth guard hands
// such bearer tokens to the agents lib instead of treating them as JWTs.
/** 32 random bytes: 256 bits, base64url-encoded to 43 characters. */
const SECRET_BYTES = 32;
/** How much of a key is kept in clear, to tell keys apart in listings. */
export const KEY_DISPLAY_PREFIX_LENGTH = 12;
/**
 * Longest bearer token worth hashing. Our keys are 47 characters and the legacy broker's
 * (`sk_agent_v1_…`) are under 200; anything longer is not a key.
 */
export const MAX_AGENT_KEY_LENGTH = 512;

export interface GeneratedAgentKey {
  /** The full secret: shown once, never stored. */
  secret: string;
  /** sha256 of the full secret, lowercase hex: what the database keeps and looks up. */
  hash: string;
  /** The first characters, for people to recognise the key. */
  prefix: string;
}

/**
 * sha256 of the whole key, as lowercase hex. The legacy broker stored exactly this, so its
 * imported keys keep authenticating. A fast hash is right here (unlike for passwords): the
 * secret has 256 bits of entropy, so there is nothing to brute-force.
 */
export function hashAgentKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function agentKeyDisplayPrefix(secret: string): string {
  return secret.slice(0, KEY_DISPLAY_PREFIX_LENGTH);
}

export function generateAgentKey(): GeneratedAgentKey {
  const secret = `${AGENT_KEY_PREFIX}${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return { secret, hash: hashAgentKey(secret), prefix: agentKeyDisplayPrefix(secret) };
}

/** A bearer token that could be an agent key (ours or a legacy one); cheap, no I/O. */
export function isPlausibleAgentKey(token: string): boolean {
  return (
    token.length > AGENT_KEY_PREFIX.length &&
    token.length <= MAX_AGENT_KEY_LENGTH &&
    /^[\x21-\x7e]+$/.test(token)
  );
}
