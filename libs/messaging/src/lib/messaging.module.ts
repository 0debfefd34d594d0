import { Module } from '@nestjs/common';
import { AuthModule } from '@agenthub/auth';

/** Messaging: chat rooms, their participants and messages, and direct agent messages. */
@Module({
  imports: [AuthModule],
})
export class MessagingModule {}
