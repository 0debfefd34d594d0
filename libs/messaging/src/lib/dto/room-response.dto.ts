import type { ChatRoom } from '../entities/chat-room.entity';
import type { ChatParticipant } from '../entities/chat-participant.entity';
import type { ChatMessage, SenderType } from '../entities/chat-message.entity';

export interface RoomResponse {
  id: string;
  project_id: string;
  name: string;
  description: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export const toRoomResponse = (r: ChatRoom): RoomResponse => ({
  id: r.id,
  project_id: r.projectId,
  name: r.name,
  description: r.description,
  created_by: r.createdBy,
  created_at: r.createdAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
});

export interface ParticipantResponse {
  id: string;
  room_id: string;
  participant_type: 'agent' | 'user';
  agent_id: string | null;
  user_id: string | null;
  joined_at: string;
}

export const toParticipantResponse = (p: ChatParticipant): ParticipantResponse => ({
  id: p.id,
  room_id: p.roomId,
  participant_type: p.agentId ? 'agent' : 'user',
  agent_id: p.agentId,
  user_id: p.userId,
  joined_at: p.joinedAt.toISOString(),
});

export interface MessageResponse {
  id: string;
  room_id: string;
  sender_type: SenderType;
  /** The sending agent or user; null for system messages and deleted senders. */
  sender_id: string | null;
  content: string;
  message_type: string;
  meta: Record<string, unknown> | null;
  created_at: string;
}

export const toMessageResponse = (m: ChatMessage): MessageResponse => ({
  id: m.id,
  room_id: m.roomId,
  sender_type: m.senderType,
  sender_id: m.senderAgentId ?? m.senderUserId,
  content: m.content,
  message_type: m.messageType,
  meta: m.meta,
  created_at: m.createdAt.toISOString(),
});
