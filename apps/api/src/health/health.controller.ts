import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyReply } from 'fastify';
import { readMigrationStatus } from '@agenthub/migrations';
import { Public } from '@agenthub/auth';

interface ReadyBody {
  status: 'ok' | 'unavailable';
  checks: { database: 'ok' | 'unreachable'; migrations: 'ok' | 'pending' | 'unknown' };
  pending_migrations?: string[];
}

/** Probes for Kubernetes: live = the process answers; ready = it can serve requests. Open to all. */
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly em: EntityManager) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadyBody> {
    const body: ReadyBody = { status: 'ok', checks: { database: 'ok', migrations: 'ok' } };
    try {
      const status = await readMigrationStatus(this.em.getConnection());
      if (status.pending.length > 0) {
        body.checks.migrations = 'pending';
        body.pending_migrations = status.pending;
      }
    } catch {
      body.checks = { database: 'unreachable', migrations: 'unknown' };
    }
    if (body.checks.database !== 'ok' || body.checks.migrations !== 'ok') {
      body.status = 'unavailable';
      reply.status(503);
    }
    return body;
  }
}
