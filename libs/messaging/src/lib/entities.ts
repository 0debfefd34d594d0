import type { EntityClass } from '@mikro-orm/core';
import { ChatRoom } from './entities/chat-room.entity';
import { ChatParticipant } from './entities/chat-participant.entity';
import { ChatMessage } from './entities/chat-message.entity';
import { AgentMessage } from './entities/agent-message.entity';

/** Every entity this lib owns, for the ORM configuration (no globs). */
export const MESSAGING_ENTITIES: EntityClass<unknown>[] = [
  ChatRoom,
  ChatParticipant,
  ChatMessage,
  AgentMessage,
];
