import { ApiProperty } from '@nestjs/swagger';

/** The `data:` of every server-sent event of `GET /events` (the `gap` event excepted). */
export class StreamEventDto {
  @ApiProperty({
    description: "The event's cursor, also its SSE `id:`: send it back as `Last-Event-ID`.",
    example: '7421-118',
  })
  id!: string;

  @ApiProperty({
    description:
      'Also the SSE `event:`. `message.received`, `message.updated`, `task.created`, `task.updated`, `task.deleted`, `agent.created`, `agent.updated`, `agent.deleted`, `room.message`, `workflow_execution.started`, `.completed`, `.failed`, `.cancelled`, `.retried`.',
    example: 'task.updated',
  })
  type!: string;

  @ApiProperty({ format: 'uuid' })
  project_id!: string;

  @ApiProperty({ format: 'date-time' })
  occurred_at!: string;

  @ApiProperty({
    description:
      'The resource as the REST API returns it after the change (a deleted task or agent: as it was).',
  })
  data!: unknown;
}
