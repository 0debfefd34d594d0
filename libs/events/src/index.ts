export { EventsModule } from './lib/events.module';
export { EventLog } from './lib/event-log';
export type { EventAudience, NewEvent } from './lib/event-log';
export { InboxSignal } from './lib/inbox-signal';
export { DatabaseNotifications, EVENTS_CHANNEL, INBOX_CHANNEL } from './lib/database-notifications';
export { compareCursors, formatCursor, LOG_START, parseCursor } from './lib/event-cursor';
export type { EventCursor } from './lib/event-cursor';
export { EventPushHooks } from './lib/event-push-hooks';
export type { EventPushHook, StreamEvent } from './lib/event-push-hooks';
