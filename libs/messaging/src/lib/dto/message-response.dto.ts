import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { isoTimestamp } from '@agenthub/http';
import { MESSAGE_PRIORITIES, MESSAGE_STATUSES } from '../message-lifecycle';
import type { MessagePriority, MessageStatus } from '../message-lifecycle';

/** A timestamp of a raw row: the driver may hand back a Date or PostgreSQL's text. */
type Timestamp = Date | string;

/** A row of agent_messages as MessageRepository's SQL returns it. */
export interface MessageRow {
  id: string;
  message_id: string;
  project_id: string;
  correlation_id: string | null;
  conversation_id: string | null;
  reply_to: string | null;
  sender_type: 'agent' | 'user';
  sender_agent_id: string | null;
  sender_user_id: string | null;
  recipient_id: string;
  recipient_type: 'agent';
  message_type: string;
  priority: MessagePriority;
  priority_rank: number;
  status: MessageStatus;
  subject: string | null;
  payload: unknown;
  retry_count: number;
  max_retries: number;
  ack_timeout_seconds: number;
  visible_until: Timestamp | null;
  expires_at: Timestamp | null;
  sent_at: Timestamp | null;
  delivered_at: Timestamp | null;
  acknowledged_at: Timestamp | null;
  failed_at: Timestamp | null;
  last_error: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** Any JSON value (an object, array, string, number, boolean or null). */
export const ANY_JSON: ApiPropertyOptions = {
  // null rides on the object branch: OpenAPI 3.0 has no null type, and `nullable` needs a
  // `type` next to it.
  oneOf: [
    { type: 'object', additionalProperties: true, nullable: true },
    { type: 'array', items: {} },
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
  ],
};

const uuidOrNull = { type: String, format: 'uuid', nullable: true } as const;
const timeOrNull = { type: String, format: 'date-time', nullable: true } as const;

export class MessageResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({
    format: 'uuid',
    description: 'The same as `id` for messages sent through the API.',
  })
  message_id!: string;

  @ApiProperty({ format: 'uuid' })
  project_id!: string;

  @ApiProperty({ ...uuidOrNull, description: 'Shared by every message of one send.' })
  correlation_id!: string | null;

  @ApiProperty({ ...uuidOrNull, description: 'Shared by a message, its replies and theirs.' })
  conversation_id!: string | null;

  @ApiProperty({ ...uuidOrNull, description: 'The message this one answers.' })
  reply_to!: string | null;

  @ApiProperty({ ...uuidOrNull, description: 'The sending agent or user (null once deleted).' })
  sender_id!: string | null;

  @ApiProperty({ enum: ['agent', 'user'] })
  sender_type!: 'agent' | 'user';

  @ApiProperty({ format: 'uuid' })
  recipient_id!: string;

  @ApiProperty({ enum: ['agent'] })
  recipient_type!: 'agent';

  @ApiProperty()
  message_type!: string;

  @ApiProperty({ enum: MESSAGE_PRIORITIES })
  priority!: MessagePriority;

  @ApiProperty({ enum: MESSAGE_STATUSES })
  status!: MessageStatus;

  @ApiProperty({ type: String, nullable: true })
  subject!: string | null;

  @ApiProperty({ ...ANY_JSON, description: 'Any JSON value, as sent.' })
  payload!: unknown;

  @ApiProperty({ type: Number, description: 'How often it went back to pending.' })
  retry_count!: number;

  @ApiProperty({ type: Number })
  max_retries!: number;

  @ApiProperty({ type: Number, description: 'Seconds to acknowledge after each hand-over.' })
  ack_timeout_seconds!: number;

  @ApiProperty({
    ...timeOrNull,
    description: 'While sent or delivered: when it goes back to pending unless acknowledged.',
  })
  visible_until!: string | null;

  @ApiProperty(timeOrNull)
  expires_at!: string | null;

  @ApiProperty({ ...timeOrNull, description: 'The last hand-over.' })
  sent_at!: string | null;

  @ApiProperty(timeOrNull)
  delivered_at!: string | null;

  @ApiProperty(timeOrNull)
  acknowledged_at!: string | null;

  @ApiProperty(timeOrNull)
  failed_at!: string | null;

  @ApiProperty({ type: String, nullable: true })
  last_error!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class SentMessagesResponseDto {
  @ApiProperty({ type: [MessageResponseDto], description: 'One message per recipient.' })
  messages!: MessageResponseDto[];
}

export class ReceivedMessagesResponseDto {
  @ApiProperty({
    type: [MessageResponseDto],
    description: 'The messages handed over, now `sent`: urgent first, then oldest.',
  })
  items!: MessageResponseDto[];
}

export const toMessageResponse = (m: MessageRow): MessageResponseDto => ({
  id: m.id,
  message_id: m.message_id,
  project_id: m.project_id,
  correlation_id: m.correlation_id,
  conversation_id: m.conversation_id,
  reply_to: m.reply_to,
  sender_id: m.sender_type === 'agent' ? m.sender_agent_id : m.sender_user_id,
  sender_type: m.sender_type,
  recipient_id: m.recipient_id,
  recipient_type: m.recipient_type,
  message_type: m.message_type,
  priority: m.priority,
  status: m.status,
  subject: m.subject,
  payload: m.payload,
  retry_count: m.retry_count,
  max_retries: m.max_retries,
  ack_timeout_seconds: m.ack_timeout_seconds,
  visible_until: isoTimestamp(m.visible_until),
  expires_at: isoTimestamp(m.expires_at),
  sent_at: isoTimestamp(m.sent_at),
  delivered_at: isoTimestamp(m.delivered_at),
  acknowledged_at: isoTimestamp(m.acknowledged_at),
  failed_at: isoTimestamp(m.failed_at),
  last_error: m.last_error,
  created_at: isoTimestamp(m.created_at),
  updated_at: isoTimestamp(m.updated_at),
});
