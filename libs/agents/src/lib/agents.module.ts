import { Module } from '@nestjs/common';

/** The agents domain. Its controllers, services and entities arrive with their issue. */
@Module({})
export class AgentsModule {}
