import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { Audit, AuditNote, AuditNoteData, CurrentPrincipal, Principal } from '@agenthub/auth';
import {
  ApiAuth,
  ApiOp,
  ApiPage,
  ApiProblems,
  ApiUuidParam,
  Page,
  UuidParam,
} from '@agenthub/http';
import { MetricsService } from './metrics.service';
import { METRIC_LIMITS } from './dto/metric-fields';
import { RecordMetricsDto } from './dto/metric-request.dto';
import {
  ListMetricsQueryDto,
  MetricSummaryQueryDto,
  ProjectMetricSummaryQueryDto,
} from './dto/metric-query.dto';
import {
  GroupedMetricSummaryResponseDto,
  MetricPointResponseDto,
  MetricSummaryResponseDto,
  RecordMetricsResponseDto,
} from './dto/metric-response.dto';

const PROJECT_403 = 'PROJECT.FORBIDDEN';
const AGENT_404 = 'AGENT.NOT_FOUND';
const READ_PROBLEMS = {
  400: ['REQUEST.VALIDATION_FAILED', 'REQUEST.INVALID_ID'],
  403: PROJECT_403,
  404: AGENT_404,
};
const SUMMARY_NOTES = `Computed in the database: per bucket the number of points, their mean, minimum, maximum, and the 50th and 95th percentiles interpolated linearly (\`percentile_cont\`). Buckets without points are left out. A range spans at most ${METRIC_LIMITS.buckets} buckets.`;

@ApiTags('metrics')
@ApiAuth()
@Controller()
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Post('agents/:id/metrics')
  @Audit('agent.record_metrics', 'agent')
  @ApiOp(
    'recordAgentMetrics',
    "Record an agent's metrics",
    `By the agent itself (its own key) or a user who manages its project; another agent gets 403 \`METRIC.AGENT_FORBIDDEN\`. 1 to ${METRIC_LIMITS.pointsPerRequest} points, stored in one statement: all of them or none. A point that breaks a rule is named by its position (\`metrics.3.metric_value\`).`,
  )
  @ApiUuidParam('id', 'The agent.')
  @ApiCreatedResponse({ type: RecordMetricsResponseDto, description: 'The points are stored.' })
  @ApiProblems([400, 401, 403, 404, 413, 415], {
    ...READ_PROBLEMS,
    403: [PROJECT_403, 'METRIC.AGENT_FORBIDDEN'],
    413: 'REQUEST.TOO_LARGE',
  })
  async record(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: RecordMetricsDto,
    @AuditNote() note: AuditNoteData,
  ): Promise<RecordMetricsResponseDto> {
    const { recorded, projectId } = await this.metrics.record(principal, id, dto);
    note.projectId = projectId;
    return { recorded };
  }

  @Get('agents/:id/metrics')
  @ApiOp(
    'listAgentMetrics',
    "List an agent's metric points",
    'Raw points, newest first; `from` inclusive, `to` exclusive. Users who manage the project and its agents.',
  )
  @ApiUuidParam('id', 'The agent.')
  @ApiPage(MetricPointResponseDto)
  @ApiProblems([400, 401, 403, 404], READ_PROBLEMS)
  list(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: ListMetricsQueryDto,
  ): Promise<Page<MetricPointResponseDto>> {
    return this.metrics.list(principal, id, query);
  }

  @Get('agents/:id/metrics/summary')
  @ApiOp(
    'summarizeAgentMetric',
    "Summarize an agent's metric in time buckets",
    `${SUMMARY_NOTES} Users who manage the project and its agents.`,
  )
  @ApiUuidParam('id', 'The agent.')
  @ApiOkResponse({ type: MetricSummaryResponseDto, description: 'The non-empty buckets.' })
  @ApiProblems([400, 401, 403, 404], READ_PROBLEMS)
  agentSummary(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: MetricSummaryQueryDto,
  ): Promise<MetricSummaryResponseDto> {
    return this.metrics.agentSummary(principal, id, query);
  }

  @Get('projects/:id/metrics/summary')
  @ApiOp(
    'summarizeProjectMetric',
    "Summarize a metric of a project's agents in time buckets",
    `The fleet's points pooled into one series (\`MetricSummaryResponseDto\`), or with \`group_by=agent\` one series per agent that has points in the range (\`GroupedMetricSummaryResponseDto\`, with \`group_by: "agent"\`). ${SUMMARY_NOTES} Users who manage the project and its agents.`,
  )
  @ApiUuidParam('id', 'The project.')
  @ApiExtraModels(MetricSummaryResponseDto, GroupedMetricSummaryResponseDto)
  @ApiOkResponse({
    description: 'The non-empty buckets, pooled or per agent.',
    schema: {
      oneOf: [
        { $ref: getSchemaPath(MetricSummaryResponseDto) },
        { $ref: getSchemaPath(GroupedMetricSummaryResponseDto) },
      ],
    },
  })
  @ApiProblems([400, 401, 403, 404], { ...READ_PROBLEMS, 404: 'PROJECT.NOT_FOUND' })
  projectSummary(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: ProjectMetricSummaryQueryDto,
  ): Promise<MetricSummaryResponseDto | GroupedMetricSummaryResponseDto> {
    return this.metrics.projectSummary(principal, id, query);
  }
}
