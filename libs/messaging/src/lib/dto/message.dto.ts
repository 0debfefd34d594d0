import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { OptionalNotNull, PaginationQueryDto, Trim } from '@agenthub/http';
import { MESSAGE_PRIORITIES, MESSAGE_STATUSES } from '../message-lifecycle';
import type { MessagePriority, MessageStatus } from '../message-lifecycle';
import { ANY_JSON } from './message-response.dto';

/** Wire limits of agent messages: huge values are a 400 (or the payload's 413), never a 500. */
export const MESSAGE_LIMITS = {
  messageType: 50,
  subject: 500,
  recipients: 100,
  capability: 100,
  reason: 10_000,
  /** Serialized JSON bytes of `payload` (beyond: 413 MESSAGE.PAYLOAD_TOO_LARGE). */
  payloadBytes: 256 * 1024,
  ttlSecondsMax: 2_592_000,
  ackTimeoutSecondsMax: 43_200,
  defaultAckTimeoutSeconds: 30,
  maxRetriesMax: 100,
  defaultMaxRetries: 3,
  receiveLimitMax: 100,
  defaultReceiveLimit: 10,
  waitSecondsMax: 20,
} as const;
const L = MESSAGE_LIMITS;

export class SendMessageDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description:
      "Agents: their own project (the default). Users: the project; by default the recipients' (required with `recipient_capability`).",
  })
  @IsOptional()
  @IsUUID()
  project_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'One recipient agent. Give exactly one of `recipient_id`, `recipient_ids`, `recipient_capability`.',
  })
  @IsOptional()
  @IsUUID()
  recipient_id?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'string', format: 'uuid' },
    minItems: 1,
    maxItems: L.recipients,
    uniqueItems: true,
    description: 'Several recipient agents, one message each.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(L.recipients)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  recipient_ids?: string[];

  @ApiPropertyOptional({
    minLength: 1,
    maxLength: L.capability,
    description:
      'Every active agent of the project with this capability (but the sending agent), one message each.',
  })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(1, L.capability)
  recipient_capability?: string;

  @ApiProperty({ minLength: 1, maxLength: L.messageType, example: 'request' })
  @IsString()
  @Length(1, L.messageType)
  message_type!: string;

  @ApiPropertyOptional({ enum: MESSAGE_PRIORITIES, default: 'normal' })
  @OptionalNotNull()
  @IsIn(MESSAGE_PRIORITIES)
  priority?: MessagePriority;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: L.subject })
  @IsOptional()
  @IsString()
  @MaxLength(L.subject)
  subject?: string | null;

  @ApiPropertyOptional({
    ...ANY_JSON,
    description: `Any JSON value, at most ${L.payloadBytes} bytes serialized (else 413); default \`{}\`.`,
  })
  @IsOptional()
  payload?: unknown;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Shared by every message of this send; by default from `reply_to`, else new.',
  })
  @IsOptional()
  @IsUUID()
  correlation_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'By default from `reply_to`, else new.',
  })
  @IsOptional()
  @IsUUID()
  conversation_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'A message (its `id` or `message_id`) the caller sent or received.',
  })
  @IsOptional()
  @IsUUID()
  reply_to?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: L.ttlSecondsMax,
    description: 'Expires this many seconds from now. Not with `expires_at`.',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(L.ttlSecondsMax)
  ttl_seconds?: number;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'An instant in the future. Not with `ttl_seconds`.',
  })
  @IsOptional()
  @IsISO8601(
    { strict: true, strictSeparator: true },
    { message: 'expires_at must be an ISO-8601 date-time' },
  )
  expires_at?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: L.maxRetriesMax,
    default: L.defaultMaxRetries,
    description: 'How often it goes back to pending before it fails.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(L.maxRetriesMax)
  max_retries?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: L.ackTimeoutSecondsMax,
    default: L.defaultAckTimeoutSeconds,
    description:
      'The visibility window: seconds the recipient has to acknowledge after each hand-over (and after `delivered`).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(L.ackTimeoutSecondsMax)
  ack_timeout_seconds?: number;
}

export class NackMessageDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: L.reason })
  @IsOptional()
  @IsString()
  @MaxLength(L.reason)
  reason?: string | null;

  @ApiPropertyOptional({
    type: Boolean,
    default: true,
    description:
      '`true`: back to pending for redelivery (failed once no retry is left); `false`: failed now.',
  })
  @OptionalNotNull()
  @IsBoolean()
  retry?: boolean;
}

export class ReceiveMessagesDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: L.receiveLimitMax,
    default: L.defaultReceiveLimit,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(L.receiveLimitMax)
  limit?: number;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 0,
    maximum: L.waitSecondsMax,
    default: 0,
    description: 'With none pending, wait up to this long for one to arrive.',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(L.waitSecondsMax)
  wait_seconds?: number;
}

export class ListMessagesFilterDto extends PaginationQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  project_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  correlation_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  conversation_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The sending agent or user.' })
  @IsOptional()
  @IsUUID()
  sender_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  recipient_id?: string;

  @ApiPropertyOptional({ enum: MESSAGE_STATUSES })
  @IsOptional()
  @IsIn(MESSAGE_STATUSES)
  status?: MessageStatus;

  @ApiPropertyOptional({ minLength: 1, maxLength: L.messageType })
  @IsOptional()
  @IsString()
  @Length(1, L.messageType)
  message_type?: string;
}

export class InboxQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: MESSAGE_STATUSES })
  @IsOptional()
  @IsIn(MESSAGE_STATUSES)
  status?: MessageStatus;
}
