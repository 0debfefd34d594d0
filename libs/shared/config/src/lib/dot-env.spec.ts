import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DotEnvError, loadDotEnv } from './dot-env';

describe('loadDotEnv', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'agenthub-dotenv-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('does nothing when the working directory has no .env', () => {
    const env = { PORT: '3000' };
    expect(loadDotEnv(dir, env)).toBeUndefined();
    expect(env).toEqual({ PORT: '3000' });
  });

  it("adds the file's variables, quotes and comments as dotenv reads them", async () => {
    await writeFile(
      join(dir, '.env'),
      [
        '# copied from .env.example',
        'PORT=8080',
        'DATABASE_URL="postgres://agenthub:s3cret#1@db:5432/agenthub"',
        'LOG_LEVEL=debug # trailing comment',
        '',
      ].join('\n'),
    );
    const env: NodeJS.ProcessEnv = {};
    expect(loadDotEnv(dir, env)).toBe(join(dir, '.env'));
    expect(env).toEqual({
      PORT: '8080',
      DATABASE_URL: 'postgres://agenthub:s3cret#1@db:5432/agenthub',
      LOG_LEVEL: 'debug',
    });
  });

  it('lets real environment variables win, even empty ones', async () => {
    await writeFile(join(dir, '.env'), 'PORT=8080\nHOST=0.0.0.0\nLOG_LEVEL=debug\n');
    const env: NodeJS.ProcessEnv = { PORT: '9000', HOST: '' };
    loadDotEnv(dir, env);
    expect(env).toEqual({ PORT: '9000', HOST: '', LOG_LEVEL: 'debug' });
  });

  it('fails with one line naming the file when .env cannot be read', async () => {
    await mkdir(join(dir, '.env'));
    let error: unknown;
    try {
      loadDotEnv(dir, {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DotEnvError);
    expect((error as DotEnvError).message).toMatch(
      new RegExp(`^${join(dir, '.env').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be loaded: `),
    );
    expect((error as DotEnvError).message).not.toContain('\n');
  });
});
