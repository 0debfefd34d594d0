import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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

  @ApiProperty({ maxLength: L.roomName })
  @Trim()
  @IsString()
  @Length(1, L.roomName)
  name!: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(L.roomDescription)
  description?: string | null;
}

export class UpdateRoomDto {
  @ApiPropertyOptional({ maxLength: L.roomName })
  @OptionalNotNull()
  @Trim()
  @IsString()
  @Length(1, L.roomName)
  name?: string;

  @ApiPropertyOptional({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(L.roomDescription)
  description?: string | null;
}

/** `GET /rooms`; without `project_id`, every project the caller may read. */
export class ListRoomsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  project_id?: string;
}

/** Exactly one of `agent_id` / `user_id` (the service says so when both or neither are given). */
export class AddParticipantDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  agent_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  user_id?: string;
}

export class PostMessageDto {
  @ApiProperty({ maxLength: L.content })
  @IsString()
  @IsNotEmpty()
  @MaxLength(L.content)
  content!: string;

  @ApiPropertyOptional({ default: 'text', maxLength: L.messageType })
  @OptionalNotNull()
  @IsString()
  @Length(1, L.messageType)
  message_type?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true })
  @IsOptional()
  @IsObject()
  meta?: Record<string, unknown> | null;
}

const MESSAGE_ORDERS = ['desc', 'asc'] as const;

/** Newest first unless `order=asc`. */
export class ListMessagesQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: MESSAGE_ORDERS, default: 'desc' })
  @IsOptional()
  @IsIn(MESSAGE_ORDERS)
  order?: (typeof MESSAGE_ORDERS)[number];
}
