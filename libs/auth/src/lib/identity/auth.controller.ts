import { Body, Controller, Get, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { WithoutRequestTransaction } from '@agenthub/database';
import { ApiAuth, ApiNoAuth, ApiOp, ApiProblems } from '@agenthub/http';
import { Audit, AuditNote, AuditNoteData } from '../audit/audit.decorators';
import { CurrentPrincipal, Public } from './decorators';
import { LoginDto } from './dto/login.dto';
import {
  AgentMeResponseDto,
  MeResponse,
  toAgentMeResponse,
  UserMeResponseDto,
} from './dto/me-response.dto';
import { RegisterDto } from './dto/register.dto';
import { TokenResponseDto } from './dto/token-response.dto';
import { toUserResponse, UserResponseDto } from './dto/user-response.dto';
import { InvalidTokenError, UNAUTHENTICATED_CODES } from './auth.errors';
import { AuthService } from './auth.service';
import type { Principal } from './principal';
import { RegistrationOpenGuard } from './registration-open.guard';
import { UsersService } from './users.service';

@ApiTags('auth')
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
  @ApiOp(
    'register',
    'Create a user account',
    'Open unless the server sets `AGENTHUB_ALLOW_REGISTRATION=false`.',
  )
  @ApiNoAuth()
  @ApiCreatedResponse({ type: UserResponseDto, description: 'The new user.' })
  @ApiProblems([400, 403, 409, 413, 415], {
    403: 'AUTH.REGISTRATION_CLOSED',
    409: 'AUTH.EMAIL_TAKEN',
  })
  async register(@Body() body: RegisterDto): Promise<UserResponseDto> {
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
  @ApiOp(
    'login',
    'Log in with email and password',
    'Answers a JWT for `Authorization: Bearer`. Repeated failures for one email are throttled (429), and so are logins beyond what the server checks at once (429, `Retry-After: 1`).',
  )
  @ApiNoAuth()
  @ApiOkResponse({ type: TokenResponseDto, description: 'A bearer token for the user.' })
  @ApiProblems([400, 401, 413, 415, 429], {
    401: 'AUTH.INVALID_CREDENTIALS',
    429: 'AUTH.TOO_MANY_ATTEMPTS',
  })
  async login(
    @Body() body: LoginDto,
    @Req() request: FastifyRequest,
    @AuditNote() note: AuditNoteData,
  ): Promise<TokenResponseDto> {
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
  @ApiOp('getMe', 'Who the bearer token belongs to', 'A user (JWT) or an agent (API key).')
  @ApiAuth()
  @ApiExtraModels(UserMeResponseDto, AgentMeResponseDto)
  @ApiOkResponse({
    description: 'The user or the agent, told apart by `kind`.',
    schema: {
      oneOf: [
        { $ref: getSchemaPath(UserMeResponseDto) },
        { $ref: getSchemaPath(AgentMeResponseDto) },
      ],
      discriminator: {
        propertyName: 'kind',
        mapping: {
          user: getSchemaPath(UserMeResponseDto),
          agent: getSchemaPath(AgentMeResponseDto),
        },
      },
    },
  })
  @ApiProblems([401], { 401: UNAUTHENTICATED_CODES })
  async me(@CurrentPrincipal() principal: Principal): Promise<MeResponse> {
    if (principal.kind === 'agent') return toAgentMeResponse(principal);
    const user = await this.users.findById(principal.userId);
    // The guard has just read this user; only a concurrent deletion gets here.
    if (!user) throw new InvalidTokenError();
    return { kind: 'user', ...toUserResponse(user) };
  }
}
