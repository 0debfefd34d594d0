import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@agenthub/auth';
import { ApiAuth, ApiOp, ApiProblems, ApiUuidParam, UuidParam } from '@agenthub/http';
import { ProjectStatsResponseDto } from './dto/stats-response.dto';
import { StatsService } from './stats.service';

/** `GET /projects/:id/stats`: what a project's fleet and queues look like right now. */
@ApiTags('performance')
@ApiAuth()
@Controller('projects/:id/stats')
export class StatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @ApiOp(
    'getProjectStats',
    "Get a project's stats",
    'Users who manage the project, or its agents. Agents by status (a stale heartbeat counts as `offline`, as in `GET /agents`), tasks by status and by priority with those completed and failed in the last hour, agent messages by status, workflow executions by status. Every status and priority is present (0 when none). The sections are read from one snapshot; nothing is cached.',
  )
  @ApiUuidParam('id', 'The project.')
  @ApiOkResponse({ type: ProjectStatsResponseDto, description: "The project's figures." })
  @ApiProblems([400, 401, 403, 404], {
    400: 'REQUEST.INVALID_ID',
    403: 'PROJECT.FORBIDDEN',
    404: 'PROJECT.NOT_FOUND',
  })
  get(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<ProjectStatsResponseDto> {
    return this.stats.ofProject(principal, id);
  }
}
