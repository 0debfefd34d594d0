import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

/** `GET /events`: which events, from where. */
export class EventsQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "Only this project's events. Users: a project they manage; agents: their own project.",
  })
  @IsOptional()
  @IsUUID()
  project_id?: string;

  @ApiPropertyOptional({
    description:
      'Comma-separated event types to send: a type (`task.updated`), a prefix (`message.*`) or `*` (all, the default).',
    example: 'message.*,task.updated',
    maxLength: 2048,
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  types?: string;

  @ApiPropertyOptional({
    description:
      'Resume after this event id (as the `Last-Event-ID` header does; when both are given, this one wins).',
    example: '7421-118',
    maxLength: 64,
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  last_event_id?: string;
}
