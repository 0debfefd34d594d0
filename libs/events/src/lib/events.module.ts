import { Global, Module } from '@nestjs/common';
import { DatabaseNotifications } from './database-notifications';
import { EventLog } from './event-log';
import { EventPushHooks } from './event-push-hooks';
import { InboxSignal } from './inbox-signal';

/**
 * The event log (written by the domain libs in their transactions) and the process's
 * LISTEN connection. Global: one DatabaseNotifications per process.
 */
@Global()
@Module({
  providers: [DatabaseNotifications, EventLog, EventPushHooks, InboxSignal],
  exports: [DatabaseNotifications, EventLog, EventPushHooks, InboxSignal],
})
export class EventsModule {}
