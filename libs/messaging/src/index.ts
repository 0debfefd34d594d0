export { MessagingModule } from './lib/messaging.module';
export { MESSAGING_ENTITIES } from './lib/entities';
