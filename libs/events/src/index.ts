export { EventsModule } from './lib/events.module';
export { EventLog } from './lib/event-log';
export type { EventAudience, NewEvent } from './lib/event-log';
export { InboxSignal } from './lib/inbox-signal';
export { DatabaseNotifications, EVENTS_CHANNEL, INBOX_CHANNEL } from './lib/database-notifications';
export { compareCursors, formatCursor, LOG_START, parseCursor } from './lib/event-cursor';
export type { EventCursor } from './lib/event-cursor';
export {
  ADDRESSED_EVENTS_MAX,
  NOTIFICATION_PAYLOAD_SQL,
  parseEventNotification,
} from './lib/event-notification';
export type { EventNotification } from './lib/event-notification';
export { EventPushHooks } from './lib/event-push-hooks';
export type { EventPushHook, StreamEvent } from './lib/event-push-hooks';
export { EventStreams } from './lib/event-streams';
export type { EventSubscription, SubscribeRequest } from './lib/event-streams';
export type { EventGap } from './lib/event-stream';
export { EventRetentionSweeper } from './lib/event-retention.sweeper';
export { parseTypeFilter, typeMatches } from './lib/event-types';
export type { TypeFilter } from './lib/event-types';
export { StreamEventDto } from './lib/dto/stream-event.dto';
