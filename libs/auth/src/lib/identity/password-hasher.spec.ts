import { canonicalPhc, PasswordHasher } from './password-hasher';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id into a canonical PHC string with a fresh salt', async () => {
    const a = await hasher.hash('correct horse battery staple');
    const b = await hasher.hash('correct horse battery staple');
    expect(a).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(a).not.toBe(b);
    expect(await hasher.verify(a, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(a, 'correct horse battery stapl')).toBe(false);
  });

  it('verifies a hash made by another implementation (argon2-cffi, with its own parameters)', async () => {
    // From the argon2-cffi documentation: libargon2 via Python, m=64 MiB, t=3, p=4.
    const foreign =
      '$argon2id$v=19$m=65536,t=3,p=4$MIIRqgvgQbgj220jfp0MPA$YfwJSVjtjSU0zzV/P3S9nnQ/USre2wvJMjfCIjrTQbg';
    expect(await hasher.verify(foreign, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(foreign, 'Correct horse battery staple')).toBe(false);
    expect(hasher.needsRehash(foreign)).toBe(true);
  });

  it('answers false, not an exception, for a hash it cannot read', async () => {
    expect(await hasher.verify('not-a-hash', 'x')).toBe(false);
    expect(await hasher.verify('$2b$12$abcdefghijklmnopqrstuv', 'x')).toBe(false);
  });

  it('does not ask to rehash its own hashes', async () => {
    expect(hasher.needsRehash(await hasher.hash('password1'))).toBe(false);
  });

  it('spends a real verification on the dummy hash and never matches', async () => {
    expect(await hasher.verifyDummy('agenthub-dummy-password-never-matches-not')).toBe(false);
  });

  it('puts PHC parameters into the canonical m,t,p order', () => {
    expect(canonicalPhc('$argon2id$v=19$m=19456,p=1,t=2$c2FsdA$aGFzaA')).toBe(
      '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    );
    expect(canonicalPhc('$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA')).toBe(
      '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA',
    );
  });
});
