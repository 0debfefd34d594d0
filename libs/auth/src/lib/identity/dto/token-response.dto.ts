import { ApiProperty } from '@nestjs/swagger';

/** What `POST /auth/login` answers (OAuth 2 style). */
export class TokenResponseDto {
  @ApiProperty({ description: 'A JWT to send as `Authorization: Bearer <access_token>`.' })
  access_token!: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type!: 'Bearer';

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Seconds until the token expires.' })
  expires_in!: number;
}
