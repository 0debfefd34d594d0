import { ApiProperty, ApiPropertyOptional, OmitType, PartialType } from '@nestjs/swagger';
import {
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  MaxLength,
} from 'class-validator';
import { OptionalNotNull, PaginationQueryDto, Trim } from '@agenthub/http';

/** Wire limits of messaging fields: huge values are a 400, never a 500. */
const L = {
  roomName: 255,
  roomDescription: 10_000,
  content: 100_000,
  messageType: 50,
} as const;

export class CreateRoomDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  project_id!: string;

  @ApiProperty({ minLength: 1, maxLength: L.roomName, description: 'Trimmed; not blank.' })
  @Trim()
  @IsString()
  @Length(1, L.roomName)
  name!: string;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: L.roomDescription })
  @IsOptional()
  @IsString()
  @MaxLength(L.roomDescription)
  description?: string | null;
}

/** Every field optional; `null` clears the description, but a room keeps its name. */
export class UpdateRoomDto extends PartialType(OmitType(CreateRoomDto, ['project_id'] as const), {
  skipNullProperties: false,
}) {}

/** `GET /rooms`; without `project_id`, every project the caller may read. */
export class ListRoomsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Only this project (else every project the caller may read).',
  })
  @IsOptional()
  @IsUUID()
  project_id?: string;
}

/** Exactly one of `agent_id` / `user_id` (the service says so when both or neither are given). */
export class AddParticipantDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: "An agent of the room's project. Give this or `user_id`, not both.",
  })
  @IsOptional()
  @IsUUID()
  agent_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "The project's owner or a superuser. Give this or `agent_id`, not both.",
  })
  @IsOptional()
  @IsUUID()
  user_id?: string;
}

export class PostMessageDto {
  @ApiProperty({ minLength: 1, maxLength: L.content })
  @IsString()
  @IsNotEmpty()
  @MaxLength(L.content)
  content!: string;

  @ApiPropertyOptional({ default: 'text', minLength: 1, maxLength: L.messageType })
  @OptionalNotNull()
  @IsString()
  @Length(1, L.messageType)
  message_type?: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Free-form JSON the clients agree on.',
  })
  @IsOptional()
  @IsObject()
  meta?: Record<string, unknown> | null;
}

const MESSAGE_ORDERS = ['desc', 'asc'] as const;

/** Newest first unless `order=asc`. */
export class ListMessagesQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({
    enum: MESSAGE_ORDERS,
    default: 'desc',
    description: '`desc`: newest first; `asc`: oldest first.',
  })
  @IsOptional()
  @IsIn(MESSAGE_ORDERS)
  order?: (typeof MESSAGE_ORDERS)[number];
}
