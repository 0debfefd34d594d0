export * from './lib/messaging.module';
export * from './lib/entities';
export { ChatRoom } from './lib/entities/chat-room.entity';
export { ChatParticipant } from './lib/entities/chat-participant.entity';
export { ChatMessage, SENDER_TYPES } from './lib/entities/chat-message.entity';
export type { SenderType } from './lib/entities/chat-message.entity';
export {
  AgentMessage,
  AGENT_MESSAGE_PRIORITIES,
  AGENT_MESSAGE_STATUSES,
} from './lib/entities/agent-message.entity';
export type { AgentMessagePriority, AgentMessageStatus } from './lib/entities/agent-message.entity';
