import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyReply } from 'fastify';
import { readMigrationStatus } from '@agenthub/migrations';
import { Public } from '@agenthub/auth';
import { ApiNoAuth, ApiOp } from '@agenthub/http';
import { LiveResponseDto, ReadyResponseDto } from './health-response.dto';

/** Probes for Kubernetes: live = the process answers; ready = it can serve requests. Open to all. */
@Public()
@ApiTags('health')
@ApiNoAuth()
@Controller('health')
export class HealthController {
  constructor(private readonly em: EntityManager) {}

  @Get('live')
  @HttpCode(200)
  @ApiOp('getLiveness', 'Liveness probe', 'Answers while the process runs; touches nothing.')
  @ApiOkResponse({ type: LiveResponseDto })
  live(): LiveResponseDto {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOp(
    'getReadiness',
    'Readiness probe',
    'Ready when the database answers and no migration is pending.',
  )
  @ApiOkResponse({ type: ReadyResponseDto, description: 'Ready.' })
  // Not problem+json: probes and people read the same body for both answers.
  @ApiServiceUnavailableResponse({
    type: ReadyResponseDto,
    description: 'Not ready: the database is unreachable or migrations are pending.',
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<ReadyResponseDto> {
    const body: ReadyResponseDto = { status: 'ok', checks: { database: 'ok', migrations: 'ok' } };
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
