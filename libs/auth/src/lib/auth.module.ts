import { Module } from '@nestjs/common';

/** The auth domain. Its controllers, services and entities arrive with their issue. */
@Module({})
export class AuthModule {}
