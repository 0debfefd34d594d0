import { Global, Module } from '@nestjs/common';
import { ACCESS_CHANGES, AuthModule } from '@agenthub/auth';
import { DatabaseNotifications } from './database-notifications';
import { EventLog } from './event-log';
import { EventPushHooks } from './event-push-hooks';
import { EventReader } from './event-reader';
import { EventRetentionSweeper } from './event-retention.sweeper';
import { EventStreams } from './event-streams';
import { EventsController } from './events.controller';
import { InboxSignal } from './inbox-signal';
import { StreamCredentialsRepository } from './stream-credentials.repository';

/**
 * The event log (written by the domain libs in their transactions), the process's LISTEN
 * connection, and `GET /events`, the live stream that replays it. Global: one
 * DatabaseNotifications per process.
 */
@Global()
@Module({
  imports: [AuthModule],
  controllers: [EventsController],
  providers: [
    DatabaseNotifications,
    { provide: ACCESS_CHANGES, useExisting: DatabaseNotifications },
    EventLog,
    EventPushHooks,
    InboxSignal,
    EventReader,
    EventStreams,
    EventRetentionSweeper,
    StreamCredentialsRepository,
  ],
  exports: [
    DatabaseNotifications,
    ACCESS_CHANGES,
    EventLog,
    EventPushHooks,
    InboxSignal,
    EventStreams,
  ],
})
export class EventsModule {}
