import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/**
 * argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 50 ms per
 * hash on one core. Verification reads the parameters from the stored hash, so hashes
 * made with other parameters (the legacy broker's, or older defaults) keep working.
 */
export const ARGON2_PARAMS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/**
 * Rewrites a PHC string's parameters into the canonical `m=,t=,p=` order. node-argon2
 * writes `m=,p=,t=`, which libargon2-based tools (argon2-cffi, the reference CLI) refuse;
 * canonical strings verify everywhere.
 */
export function canonicalPhc(hash: string): string {
  return hash.replace(
    /^(\$argon2(?:id|i|d)\$v=\d+\$)([^$]+)/,
    (_all, head: string, params: string) => {
      const values = new Map(params.split(',').map((kv) => kv.split('=') as [string, string]));
      const order = ['m', 't', 'p'];
      const known = order.filter((k) => values.has(k)).map((k) => `${k}=${values.get(k)}`);
      const rest = [...values].filter(([k]) => !order.includes(k)).map(([k, v]) => `${k}=${v}`);
      return head + [...known, ...rest].join(',');
    },
  );
}

@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  /** A PHC string: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`. */
  async hash(password: string): Promise<string> {
    return canonicalPhc(await argon2.hash(password, ARGON2_PARAMS));
  }

  /** False for a wrong password and for a hash that cannot be parsed (never throws on bad data). */
  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  }

  /**
   * Spends the same work as a real verification, for logins with an unknown email: the
   * answer must not come back faster than for a known email with a wrong password.
   */
  async verifyDummy(password: string): Promise<false> {
    this.dummyHash ??= this.hash('agenthub-dummy-password-never-matches');
    await this.verify(await this.dummyHash, password);
    return false;
  }

  /** True when the hash was made with weaker (or just different) parameters than today's. */
  needsRehash(hash: string): boolean {
    try {
      return argon2.needsRehash(hash, ARGON2_PARAMS);
    } catch {
      return false;
    }
  }
}
