import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { WithoutRequestTransaction } from '@agenthub/database';
import { Audit, AuditNote, AuditNoteData } from '../audit/audit.decorators';
import { CurrentPrincipal, Public } from './decorators';
import { LoginDto } from './dto/login.dto';
import { MeResponse, toAgentMeResponse } from './dto/me-response.dto';
import { RegisterDto } from './dto/register.dto';
import { TokenResponse } from './dto/token-response.dto';
import { toUserResponse, UserResponse } from './dto/user-response.dto';
import { InvalidTokenError } from './auth.errors';
import { AuthService } from './auth.service';
import type { Principal } from './principal';
import { RegistrationOpenGuard } from './registration-open.guard';
import { UsersService } from './users.service';

@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @UseGuards(RegistrationOpenGuard)
  @Post('register')
  @Audit('user.register', 'user')
  async register(@Body() body: RegisterDto): Promise<UserResponse> {
    return toUserResponse(await this.users.register(body));
  }

  /**
   * Without the request transaction: nothing a failed login wrote (its throttle slot is the
   * failure record) may be rolled back. The audit row of a successful one follows on its own.
   */
  @Public()
  @Post('login')
  @HttpCode(200)
  @WithoutRequestTransaction()
  @Audit('user.login', 'user')
  async login(
    @Body() body: LoginDto,
    @Req() request: FastifyRequest,
    @AuditNote() note: AuditNoteData,
  ): Promise<TokenResponse> {
    const { accessToken, expiresIn, user } = await this.auth.login(
      body.email,
      body.password,
      request.ip,
    );
    note.actor = { type: 'user', id: user.id };
    note.resourceId = user.id;
    return { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn };
  }

  @Get('me')
  async me(@CurrentPrincipal() principal: Principal): Promise<MeResponse> {
    if (principal.kind === 'agent') return toAgentMeResponse(principal);
    const user = await this.users.findById(principal.userId);
    // The guard has just read this user; only a concurrent deletion gets here.
    if (!user) throw new InvalidTokenError();
    return { kind: 'user', ...toUserResponse(user) };
  }
}
