import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, Principal, ProjectAccessPolicy } from '@agenthub/auth';
import { ApiAuth, ApiOp, ApiProblems } from '@agenthub/http';
import { EventCursor, parseCursor } from './event-cursor';
import { EventReader, EventScope } from './event-reader';
import { EventStreams } from './event-streams';
import { parseTypeFilter, TypeFilter } from './event-types';
import { InvalidCursorError, InvalidTypeFilterError } from './events.errors';
import { EventsQueryDto } from './dto/events-query.dto';
import { StreamEventDto } from './dto/stream-event.dto';

const STREAM_DESCRIPTION = `A server-sent event stream of what changes, for the calling principal, until the client goes away or its credentials stop being valid (then the stream ends within a second).

An agent sees \`message.received\` for messages addressed to it (pushing one hands it over: it is \`sent\` now), \`message.updated\` for messages it sent, \`task.*\`, \`agent.*\` and \`workflow_execution.*\` of its project and \`room.message\` of rooms it takes part in. A user sees every event of the projects it manages.

Each event: \`id:\` its cursor, \`event:\` its type, \`data:\` one JSON line (see StreamEventDto). The stream starts with \`retry:\` and an \`id:\` line without data: the position it starts from. With \`Last-Event-ID\` (header) or \`last_event_id\` (query; wins over the header) it resumes after that event: every event it may see that committed after it, in commit order, none twice, none missing, also on another API process. Without, it starts at the head. When events after the cursor are no longer retained, one \`event: gap\` comes first (resync through REST). A comment line every 15 s keeps proxies from closing the idle connection.

A principal (an agent key; a user, with any of its tokens) may have at most \`EVENT_STREAMS_PER_PRINCIPAL\` streams (default 16) open on one API process; one more is refused 429 \`EVENT.TOO_MANY_STREAMS\` with \`Retry-After\`. Closing a stream frees its slot.`;

@ApiTags('events')
@ApiAuth()
@ApiExtraModels(StreamEventDto)
@Controller('events')
export class EventsController {
  constructor(
    private readonly policy: ProjectAccessPolicy,
    private readonly reader: EventReader,
    private readonly streams: EventStreams,
  ) {}

  @Get()
  @ApiOp('streamEvents', 'Stream events (server-sent events)', STREAM_DESCRIPTION)
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'Resume after this event id (what the last event received said in `id:`).',
  })
  @ApiOkResponse({
    description: `\`text/event-stream\`; each event's \`data\` is a [StreamEventDto](${getSchemaPath(StreamEventDto)}).`,
    content: {
      'text/event-stream': {
        schema: { type: 'string', description: 'Server-sent event frames.' },
        // What each frame's `data:` line holds, for generators and readers of the document.
        'x-event-data': { $ref: getSchemaPath(StreamEventDto) },
      } as Record<string, unknown>,
    },
  })
  @ApiProblems([400, 401, 403, 404, 429], {
    400: ['REQUEST.VALIDATION_FAILED', 'EVENT.INVALID_CURSOR', 'EVENT.INVALID_TYPES'],
    403: 'PROJECT.FORBIDDEN',
    404: 'PROJECT.NOT_FOUND',
    429: 'EVENT.TOO_MANY_STREAMS',
  })
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Query() query: EventsQueryDto,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    // Everything that can be refused is refused before the stream starts (a problem answer).
    // A principal at its limit first, before any work (a flood of opens reads nothing).
    this.streams.admit(principal);
    let types: TypeFilter | null;
    try {
      types = parseTypeFilter(query.types);
    } catch (error) {
      throw new InvalidTypeFilterError((error as Error).message);
    }
    const cursor = this.requestedCursor(query, request);
    const scope = await this.scopeFor(principal, query.project_id);
    const start = cursor ?? (await this.reader.head());

    // Again, now that nothing is awaited from here to start(): concurrent requests of one
    // principal cannot all slip under its limit.
    this.streams.admit(principal);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx would buffer the stream otherwise.
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    this.streams.start(res, {
      principal,
      scope,
      types,
      cursor: start,
    });
  }

  /** `?last_event_id=` wins over the `Last-Event-ID` header; neither: `null`. */
  private requestedCursor(query: EventsQueryDto, request: FastifyRequest): EventCursor | null {
    const header = request.headers['last-event-id'];
    const [field, text] =
      query.last_event_id !== undefined
        ? ['last_event_id', query.last_event_id]
        : ['Last-Event-ID', Array.isArray(header) ? header[0] : header];
    if (text === undefined || text.trim() === '') return null;
    const cursor = parseCursor(text);
    if (!cursor) throw new InvalidCursorError(field);
    return cursor;
  }

  /** What the principal may see, narrowed by `project_id` (404/403 by the project policy). */
  private async scopeFor(principal: Principal, projectId?: string): Promise<EventScope> {
    if (principal.kind === 'agent') {
      if (projectId !== undefined) await this.policy.assertCanAccess(principal, projectId, 'read');
      return { kind: 'agent', agentId: principal.agentId, projectId: principal.projectId };
    }
    if (projectId !== undefined) await this.policy.assertCanAccess(principal, projectId, 'manage');
    return {
      kind: 'user',
      userId: principal.userId,
      isSuperuser: principal.isSuperuser,
      projectId,
    };
  }
}
