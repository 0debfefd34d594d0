import { createHash } from 'node:crypto';
import { AGENT_KEY_PREFIX } from '@agenthub/auth';
import {
  agentKeyDisplayPrefix,
  generateAgentKey,
  hashAgentKey,
  isPlausibleAgentKey,
  KEY_DISPLAY_PREFIX_LENGTH,
  MAX_AGENT_KEY_LENGTH,
} from './agent-api-key';

describe('agent API keys', () => {
  it('issues ahk_ keys with at least 32 random bytes, base64url', () => {
    const { secret } = generateAgentKey();
    expect(secret.startsWith(AGENT_KEY_PREFIX)).toBe(true);
    const body = secret.slice(AGENT_KEY_PREFIX.length);
    expect(body).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(body, 'base64url').length).toBeGreaterThanOrEqual(32);
  });

  it('never issues the same key twice', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => generateAgentKey().secret));
    expect(secrets.size).toBe(1000);
  });

  it('keeps sha256 hex of the whole key and a short display prefix', () => {
    const key = generateAgentKey();
    expect(key.hash).toBe(createHash('sha256').update(key.secret).digest('hex'));
    expect(key.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(key.prefix).toBe(key.secret.slice(0, KEY_DISPLAY_PREFIX_LENGTH));
    expect(key.secret.length).toBeGreaterThan(key.prefix.length + 30);
  });

  it('hashes a legacy broker key exactly as the broker did (sha256 hex of the key)', () => {
    const legacy = 'sk_agent_v1_proj_alpha_0123456789abcdef0123456789abcdef';
    expect(hashAgentKey(legacy)).toBe(createHash('sha256').update(legacy, 'utf8').digest('hex'));
    expect(agentKeyDisplayPrefix(legacy)).toBe('sk_agent_v1_');
  });

  it('only considers bounded, printable tokens worth a lookup', () => {
    expect(isPlausibleAgentKey(generateAgentKey().secret)).toBe(true);
    expect(isPlausibleAgentKey('ahk_')).toBe(false);
    expect(isPlausibleAgentKey(`ahk_${'a'.repeat(MAX_AGENT_KEY_LENGTH)}`)).toBe(false);
    expect(isPlausibleAgentKey('ahk_with space')).toBe(false);
    expect(isPlausibleAgentKey('ahk_ünïcode')).toBe(false);
  });
});
