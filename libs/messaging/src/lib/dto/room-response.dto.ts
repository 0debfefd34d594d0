import { ApiProperty } from '@nestjs/swagger';
import type { ChatRoom } from '../entities/chat-room.entity';
import type { ChatParticipant } from '../entities/chat-participant.entity';
import { ChatMessage, SENDER_TYPES, SenderType } from '../entities/chat-message.entity';

export class RoomResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  project_id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The user who created the room; null when unknown or once that user is deleted.',
  })
  created_by!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export const toRoomResponse = (r: ChatRoom): RoomResponseDto => ({
  id: r.id,
  project_id: r.projectId,
  name: r.name,
  description: r.description,
  created_by: r.createdBy,
  created_at: r.createdAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
});

const PARTICIPANT_TYPES = ['agent', 'user'] as const;

export class RoomParticipantResponseDto {
  @ApiProperty({
    format: 'uuid',
    description: 'The membership (what DELETE takes), not the member.',
  })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  room_id!: string;

  @ApiProperty({ enum: PARTICIPANT_TYPES, description: 'Which of `agent_id` / `user_id` is set.' })
  participant_type!: (typeof PARTICIPANT_TYPES)[number];

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  agent_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  user_id!: string | null;

  @ApiProperty({ format: 'date-time' })
  joined_at!: string;
}

export const toParticipantResponse = (p: ChatParticipant): RoomParticipantResponseDto => ({
  id: p.id,
  room_id: p.roomId,
  participant_type: p.agentId ? 'agent' : 'user',
  agent_id: p.agentId,
  user_id: p.userId,
  joined_at: p.joinedAt.toISOString(),
});

export class RoomMessageResponseDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  room_id!: string;

  @ApiProperty({ enum: SENDER_TYPES })
  sender_type!: SenderType;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The sending agent or user; null for system messages and deleted senders.',
  })
  sender_id!: string | null;

  @ApiProperty()
  content!: string;

  @ApiProperty({ example: 'text' })
  message_type!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true })
  meta!: Record<string, unknown> | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export const toMessageResponse = (m: ChatMessage): RoomMessageResponseDto => ({
  id: m.id,
  room_id: m.roomId,
  sender_type: m.senderType,
  sender_id: m.senderAgentId ?? m.senderUserId,
  content: m.content,
  message_type: m.messageType,
  meta: m.meta,
  created_at: m.createdAt.toISOString(),
});
