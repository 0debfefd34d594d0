import { Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Audit, AuditNote, AuditNoteData, CurrentPrincipal, Principal } from '@agenthub/auth';
import { WithoutRequestTransaction } from '@agenthub/database';
import {
  ApiAuth,
  ApiOp,
  ApiPage,
  ApiProblems,
  ApiUuidParam,
  Page,
  UuidParam,
} from '@agenthub/http';
import { MessagesService } from './messages.service';
import {
  InboxQueryDto,
  ListMessagesFilterDto,
  NackMessageDto,
  ReceiveMessagesDto,
  SendMessageDto,
} from './dto/message.dto';
import {
  MessageResponseDto,
  ReceivedMessagesResponseDto,
  SentMessagesResponseDto,
} from './dto/message-response.dto';

const PROJECT_403 = 'PROJECT.FORBIDDEN';
const PROJECT_404 = 'PROJECT.NOT_FOUND';

/** What every recipient call (delivered, ack, nack) can answer. */
const RECIPIENT_CALL_PROBLEMS = {
  400: ['REQUEST.VALIDATION_FAILED', 'REQUEST.INVALID_ID'],
  403: [PROJECT_403, 'MESSAGE.FORBIDDEN', 'MESSAGE.NOT_RECIPIENT'],
  404: 'MESSAGE.NOT_FOUND',
  409: 'MESSAGE.ILLEGAL_TRANSITION',
};

@ApiTags('messages')
@ApiAuth()
@Controller('messages')
export class MessagesController {
  constructor(private readonly messages: MessagesService) {}

  @Post()
  @Audit('message.send', 'message')
  @ApiOp(
    'sendMessage',
    'Send a message to agents',
    'An agent of the project (as itself) or a user who manages it. One message per recipient (`recipient_id`, `recipient_ids`, or every active agent with `recipient_capability`), all sharing one `correlation_id` and one `conversation_id`. Each starts `pending`.',
  )
  @ApiCreatedResponse({
    type: SentMessagesResponseDto,
    description: 'The messages, one per recipient.',
  })
  @ApiProblems([400, 401, 403, 404, 413, 415], {
    400: [
      'REQUEST.VALIDATION_FAILED',
      'MESSAGE.INVALID_RECIPIENT',
      'MESSAGE.NO_RECIPIENTS',
      'MESSAGE.INVALID_REPLY_TO',
      'MESSAGE.INVALID_EXPIRY',
      'MESSAGE.PROJECT_REQUIRED',
    ],
    403: [PROJECT_403, 'MESSAGE.RECIPIENT_FORBIDDEN'],
    404: PROJECT_404,
    413: ['REQUEST.TOO_LARGE', 'MESSAGE.PAYLOAD_TOO_LARGE'],
  })
  async send(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: SendMessageDto,
    @AuditNote() note: AuditNoteData,
  ): Promise<SentMessagesResponseDto> {
    const messages = await this.messages.send(principal, dto);
    // One audit row per send: the first message names it, its correlation id ties the rest.
    note.resourceId = messages[0].id;
    note.projectId = messages[0].project_id;
    return { messages };
  }

  @Get()
  @ApiOp(
    'listMessages',
    'List messages',
    'Newest first. Users: the messages of the projects they manage; agents: those they sent or received.',
  )
  @ApiPage(MessageResponseDto)
  @ApiProblems([400, 401, 403, 404], {
    400: 'REQUEST.VALIDATION_FAILED',
    403: PROJECT_403,
    404: PROJECT_404,
  })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListMessagesFilterDto,
  ): Promise<Page<MessageResponseDto>> {
    return this.messages.list(principal, query);
  }

  @Get(':id')
  @ApiOp('getMessage', 'Get a message', 'Its sender, its recipient, and the project managers.')
  @ApiUuidParam('id', 'The message.')
  @ApiOkResponse({ type: MessageResponseDto, description: 'The message.' })
  @ApiProblems([400, 401, 403, 404], {
    400: 'REQUEST.INVALID_ID',
    403: [PROJECT_403, 'MESSAGE.FORBIDDEN'],
    404: 'MESSAGE.NOT_FOUND',
  })
  get(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<MessageResponseDto> {
    return this.messages.get(principal, id);
  }

  /**
   * The recipient's calls run in a transaction of their own (see MessagesService) and are
   * not audited (the issue: delivery transitions would flood the log; each is an event).
   */
  @Post(':id/delivered')
  @HttpCode(200)
  @WithoutRequestTransaction()
  @ApiOp(
    'markMessageDelivered',
    'Mark a message delivered',
    'The recipient agent: received, working on it (`sent` → `delivered`); the visibility window starts again.',
  )
  @ApiUuidParam('id', 'The message.')
  @ApiOkResponse({ type: MessageResponseDto, description: 'The message as it now is.' })
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], RECIPIENT_CALL_PROBLEMS)
  delivered(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @AuditNote() note: AuditNoteData,
  ): Promise<MessageResponseDto> {
    note.nothingChanged = true;
    return this.messages.recipientCall(principal, id, 'delivered');
  }

  @Post(':id/ack')
  @HttpCode(200)
  @WithoutRequestTransaction()
  @ApiOp(
    'acknowledgeMessage',
    'Acknowledge a message',
    'The recipient agent (`sent` | `delivered` → `acknowledged`, final): it is never redelivered.',
  )
  @ApiUuidParam('id', 'The message.')
  @ApiOkResponse({ type: MessageResponseDto, description: 'The message as it now is.' })
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], RECIPIENT_CALL_PROBLEMS)
  ack(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @AuditNote() note: AuditNoteData,
  ): Promise<MessageResponseDto> {
    note.nothingChanged = true;
    return this.messages.recipientCall(principal, id, 'ack');
  }

  @Post(':id/nack')
  @HttpCode(200)
  @WithoutRequestTransaction()
  @ApiOp(
    'rejectMessage',
    'Reject a message',
    'The recipient agent (`sent` | `delivered`): with `retry` (the default) back to `pending` for redelivery, `retry_count` + 1, or `failed` once `retry_count` has reached `max_retries`; with `retry: false`, `failed`. `last_error` keeps the reason. The body is optional.',
  )
  @ApiUuidParam('id', 'The message.')
  @ApiBody({ type: NackMessageDto, required: false })
  @ApiOkResponse({ type: MessageResponseDto, description: 'The message as it now is.' })
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], RECIPIENT_CALL_PROBLEMS)
  nack(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: NackMessageDto,
    @AuditNote() note: AuditNoteData,
  ): Promise<MessageResponseDto> {
    note.nothingChanged = true;
    return this.messages.recipientCall(principal, id, 'nack', dto ?? {});
  }
}

const INBOX_PROBLEMS = {
  400: ['REQUEST.VALIDATION_FAILED', 'REQUEST.INVALID_ID'],
  403: [PROJECT_403, 'MESSAGE.INBOX_FORBIDDEN'],
  404: 'AGENT.NOT_FOUND',
};

@ApiTags('messages')
@ApiAuth()
@Controller('agents')
export class InboxController {
  constructor(private readonly messages: MessagesService) {}

  /**
   * Runs without the request transaction: each attempt is a short transaction of its own, and
   * nothing is held while it waits. Audited like a claim: a row when it handed messages over,
   * none when it found nothing (agents poll this).
   */
  @Post(':id/inbox/receive')
  @HttpCode(200)
  @WithoutRequestTransaction()
  @Audit('message.receive', 'agent')
  @ApiOp(
    'receiveMessages',
    'Receive messages',
    "That agent only. Takes up to `limit` of its pending messages, urgent first then oldest, marks them `sent` (each one's visibility window starts) and returns them; with `wait_seconds` and none pending, waits until one arrives or the time is up. Two concurrent receivers never get the same message. The body is optional.",
  )
  @ApiUuidParam('id', 'The agent.')
  @ApiBody({ type: ReceiveMessagesDto, required: false })
  @ApiOkResponse({
    type: ReceivedMessagesResponseDto,
    description: 'The messages handed over (possibly none).',
  })
  @ApiProblems([400, 401, 403, 404, 413, 415], INBOX_PROBLEMS)
  async receive(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: ReceiveMessagesDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @AuditNote() note: AuditNoteData,
  ): Promise<ReceivedMessagesResponseDto> {
    // The response's 'close' before it finished: the client went away while we waited.
    const raw = reply.raw;
    const gone = () =>
      raw.destroyed || (raw.writableEnded === false && raw.socket?.destroyed === true);
    const onGone = (listener: () => void) => {
      raw.on('close', listener);
      return () => raw.off('close', listener);
    };
    const { projectId, items } = await this.messages.receive(
      principal,
      id,
      dto ?? {},
      gone,
      onGone,
    );
    note.resourceId = id;
    note.projectId = projectId;
    if (items.length === 0) note.nothingChanged = true;
    return { items };
  }

  @Get(':id/inbox')
  @ApiOp(
    'listInbox',
    "List an agent's inbox",
    'The messages addressed to the agent, newest first: the agent itself and its project managers. Reading changes nothing.',
  )
  @ApiUuidParam('id', 'The agent.')
  @ApiPage(MessageResponseDto)
  @ApiProblems([400, 401, 403, 404], INBOX_PROBLEMS)
  inbox(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: InboxQueryDto,
  ): Promise<Page<MessageResponseDto>> {
    return this.messages.inbox(principal, id, query);
  }
}
