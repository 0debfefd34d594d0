export { MessagingModule } from './lib/messaging.module';
export { MESSAGING_ENTITIES } from './lib/entities';
export { MessageSweeper } from './lib/message.sweeper';
export { MESSAGE_TRANSITIONS } from './lib/message-lifecycle';
export type { MessageAction, MessageStatus } from './lib/message-lifecycle';
