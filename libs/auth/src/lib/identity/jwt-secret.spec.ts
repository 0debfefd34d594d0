import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JWT_SECRET_FILE, resolveJwtSecret } from './jwt-secret';

describe('resolveJwtSecret', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agenthub-jwt-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('uses JWT_SECRET when it is set, and writes nothing', async () => {
    const secret = 'x'.repeat(40);
    expect(await resolveJwtSecret({ jwtSecret: secret, dataDir: dir, isProduction: false })).toBe(
      secret,
    );
    await expect(stat(join(dir, JWT_SECRET_FILE))).rejects.toThrow();
  });

  it('generates a key once into the data dir, readable by its owner only, and reuses it', async () => {
    const dataDir = join(dir, 'not-yet-there');
    const first = await resolveJwtSecret({ dataDir, isProduction: false });
    expect(first.length).toBeGreaterThanOrEqual(64);
    expect((await stat(join(dataDir, JWT_SECRET_FILE))).mode & 0o777).toBe(0o600);
    expect(await resolveJwtSecret({ dataDir, isProduction: false })).toBe(first);
    expect((await readFile(join(dataDir, JWT_SECRET_FILE), 'utf8')).trim()).toBe(first);
  });

  it('hands the same key to processes that start at the same time', async () => {
    const keys = await Promise.all(
      Array.from({ length: 5 }, () => resolveJwtSecret({ dataDir: dir, isProduction: false })),
    );
    expect(new Set(keys).size).toBe(1);
  });

  it('refuses to invent a key in production, and refuses a short key file', async () => {
    await expect(resolveJwtSecret({ dataDir: dir, isProduction: true })).rejects.toThrow(
      /JWT_SECRET/,
    );
    await writeFile(join(dir, JWT_SECRET_FILE), 'short\n');
    await expect(resolveJwtSecret({ dataDir: dir, isProduction: false })).rejects.toThrow(
      /fewer than 32/,
    );
  });
});
