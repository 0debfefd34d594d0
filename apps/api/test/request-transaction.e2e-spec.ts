import {
  Controller,
  ExecutionContext,
  Injectable,
  Module,
  OnModuleInit,
  Post,
  Query,
} from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { Audit, Public } from '@agenthub/auth';
import { loadConfig } from '@agenthub/config';
import {
  RequestTransactionHook,
  RequestTransactionHooks,
  WithoutRequestTransaction,
} from '@agenthub/database';
import { ConflictError } from '@agenthub/errors';
import { createTestApp, createTestDatabase, query, TestApp, TestDatabase } from '@agenthub/testing';
import { AppModule } from '../src/app.module';
import { TEST_JWT_SECRET } from './create-api-test-app';

class ProbeFailedError extends ConflictError {
  constructor() {
    super('PROBE.FAILED', 'The probe failed on purpose, after writing');
  }
}

/** Which probe users exist, seen from a connection of its own (committed rows only). */
let committedProbeUsers: () => Promise<string[]>;

/** A write the tests can look for: a user row named after the request. */
const insertUser = (em: EntityManager, email: string) =>
  em.execute(`INSERT INTO users (email, password_hash, name) VALUES (?, '$probe', 'probe')`, [
    email,
  ]);

/** Routes that write through the injected EntityManager, as services do, then succeed or fail. */
@Public()
@Controller('probe')
class ProbeController {
  constructor(private readonly em: EntityManager) {}

  @Post('commit')
  @Audit('probe.commit', 'probe')
  async commit(@Query('email') email: string): Promise<{ id: string }> {
    await insertUser(this.em, email);
    return { id: email };
  }

  @Post('fail')
  @Audit('probe.fail', 'probe')
  async fail(@Query('email') email: string): Promise<never> {
    await insertUser(this.em, email);
    throw new ProbeFailedError();
  }

  /** A service's own transaction that committed, inside a request that then fails. */
  @Post('inner-then-fail')
  async innerThenFail(@Query('email') email: string): Promise<never> {
    await this.em.transactional((em) => insertUser(em, email));
    throw new ProbeFailedError();
  }

  /** A service's own transaction that failed and was handled, inside a request that succeeds. */
  @Post('inner-fails')
  async innerFails(@Query('email') email: string): Promise<{ id: string }> {
    await insertUser(this.em, email);
    await this.em
      .transactional(async (em) => {
        await insertUser(em, `inner.${email}`);
        throw new ProbeFailedError();
      })
      .catch(() => undefined);
    return { id: email };
  }

  @Post('outside/commit')
  @WithoutRequestTransaction()
  @Audit('probe.outside_commit', 'probe')
  async outsideCommit(@Query('email') email: string): Promise<{ id: string }> {
    await insertUser(this.em, email);
    return { id: email };
  }

  @Post('outside/fail')
  @WithoutRequestTransaction()
  @Audit('probe.outside_fail', 'probe')
  async outsideFail(@Query('email') email: string): Promise<never> {
    await insertUser(this.em, email);
    throw new ProbeFailedError();
  }
}

/** A before-commit hook next to audit's: it fails or looks around when a header asks it to. */
@Injectable()
class ProbeHook implements RequestTransactionHook, OnModuleInit {
  /** What `x-probe-hook: peek` saw: the committed probe users while the hooks ran. */
  seen: string[] | undefined;

  constructor(private readonly hooks: RequestTransactionHooks) {}

  onModuleInit(): void {
    this.hooks.register(this);
  }

  async beforeCommit(context: ExecutionContext): Promise<void> {
    const mode = context.switchToHttp().getRequest<FastifyRequest>().headers['x-probe-hook'];
    if (mode === 'fail') throw new Error('the probe hook failed on purpose');
    if (mode === 'peek') this.seen = await committedProbeUsers();
  }
}

@Module({ controllers: [ProbeController], providers: [ProbeHook] })
class ProbeModule {}

describe('the request transaction', () => {
  let db: TestDatabase;
  let t: TestApp;
  let hook: ProbeHook;

  beforeAll(async () => {
    db = await createTestDatabase();
    committedProbeUsers = async () =>
      (
        await query<{ email: string }>(
          db.url,
          `SELECT email FROM users WHERE name = 'probe' ORDER BY email`,
        )
      ).map((r) => r.email);
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      JWT_SECRET: TEST_JWT_SECRET,
      DATABASE_URL: db.url,
    });
    @Module({ imports: [ProbeModule, AppModule.register(config)] })
    class AppWithProbes {}
    t = await createTestApp(AppWithProbes);
    hook = t.app.get(ProbeHook);
  });
  afterAll(async () => {
    await t.close();
    await db.drop();
  });
  beforeEach(() => {
    hook.seen = undefined;
  });

  /** `name` makes the email (`<name>@probe.test`) and the request id (`probe-<name>`). */
  const post = (path: string, name: string, headers: Record<string, string> = {}) =>
    t.request({
      method: 'POST',
      url: `/api/v1/probe/${path}?email=${name}@probe.test`,
      headers: { 'x-request-id': `probe-${name}`, ...headers },
    });
  const userExists = async (name: string) =>
    (await query(db.url, 'SELECT 1 FROM users WHERE email = $1', [`${name}@probe.test`])).length ===
    1;
  const auditActions = async (name: string) =>
    (
      await query<{ action: string }>(
        db.url,
        'SELECT action FROM audit_log WHERE request_id = $1 ORDER BY id',
        [`probe-${name}`],
      )
    ).map((r) => r.action);

  it('commits a change together with its audit row, and answers after the commit', async () => {
    const res = await post('commit', 'commit', { 'x-probe-hook': 'peek' });
    expect(res.statusCode).toBe(201);
    // While the hooks ran, the change was not committed yet; by the answer, it was.
    expect(hook.seen).not.toContain('commit@probe.test');
    expect(await userExists('commit')).toBe(true);
    expect(await auditActions('commit')).toEqual(['probe.commit']);
  });

  it('rolls back what a failing handler wrote, and writes no audit row', async () => {
    const res = await post('fail', 'fail');
    expect(res.statusCode).toBe(409);
    expect(await userExists('fail')).toBe(false);
    expect(await auditActions('fail')).toEqual([]);
  });

  it('rolls the change and its audit row back when a before-commit hook fails', async () => {
    const res = await post('commit', 'hook-fails', { 'x-probe-hook': 'fail' });
    expect(res.statusCode).toBe(500);
    expect(await userExists('hook-fails')).toBe(false);
    expect(await auditActions('hook-fails')).toEqual([]);
  });

  it("makes a service's own transaction a savepoint of the request's", async () => {
    // Its "commit" commits nothing: the request's failure takes it back.
    expect((await post('inner-then-fail', 'inner-then-fail')).statusCode).toBe(409);
    expect(await userExists('inner-then-fail')).toBe(false);

    // Its rollback undoes only its own writes; the request goes on and commits the rest.
    expect((await post('inner-fails', 'outer')).statusCode).toBe(201);
    expect(await userExists('outer')).toBe(true);
    expect(await userExists('inner.outer')).toBe(false);
    expect(await auditActions('outer')).toEqual(['POST /api/v1/probe/inner-fails']);
  });

  it('keeps the writes of a route without the request transaction when it fails', async () => {
    const res = await post('outside/fail', 'outside-fail');
    expect(res.statusCode).toBe(409);
    expect(await userExists('outside-fail')).toBe(true);
    expect(await auditActions('outside-fail')).toEqual([]);
  });

  it('runs the hooks of such a route after its writes committed', async () => {
    const res = await post('outside/commit', 'outside-commit', { 'x-probe-hook': 'peek' });
    expect(res.statusCode).toBe(201);
    expect(hook.seen).toContain('outside-commit@probe.test');
    expect(await auditActions('outside-commit')).toEqual(['probe.outside_commit']);
  });
});
