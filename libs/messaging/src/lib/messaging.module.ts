import { Module } from '@nestjs/common';
import { AuthModule } from '@agenthub/auth';
import { RoomsController } from './rooms.controller';
import { RoomsService } from './rooms.service';

/** Messaging: chat rooms, their participants and messages (and the agent_messages table). */
@Module({
  imports: [AuthModule],
  controllers: [RoomsController],
  providers: [RoomsService],
})
export class MessagingModule {}
