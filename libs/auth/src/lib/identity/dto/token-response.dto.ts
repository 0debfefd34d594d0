/** What `POST /auth/login` answers (OAuth 2 style). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  /** Seconds until the token expires (`JWT_TTL`). */
  expires_in: number;
}
