import { Module } from '@nestjs/common';

/** The tasks domain. Its controllers, services and entities arrive with their issue. */
@Module({})
export class TasksModule {}
