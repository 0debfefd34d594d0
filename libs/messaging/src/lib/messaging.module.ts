import { Module } from '@nestjs/common';
import { AuthModule } from '@agenthub/auth';
import { RoomsController } from './rooms.controller';
import { RoomsService } from './rooms.service';
import { InboxController, MessagesController } from './messages.controller';
import { MessagesService } from './messages.service';
import { MessageRepository } from './message.repository';
import { MessageEvents } from './message-events';
import { MessageSweeper } from './message.sweeper';

/**
 * Messaging: chat rooms, their participants and messages; agent messages with their delivery
 * cycle, inboxes and sweeper. The events lib (global) carries their events and wake-ups.
 */
@Module({
  imports: [AuthModule],
  controllers: [RoomsController, MessagesController, InboxController],
  providers: [RoomsService, MessagesService, MessageRepository, MessageEvents, MessageSweeper],
  exports: [MessageSweeper],
})
export class MessagingModule {}
