import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Audit, AuditNote, AuditNoteData, CurrentPrincipal, Principal } from '@agenthub/auth';
import {
  ApiAuth,
  ApiOp,
  ApiPage,
  ApiProblems,
  ApiUuidParam,
  Page,
  PaginationQueryDto,
  UuidParam,
} from '@agenthub/http';
import { RoomsService } from './rooms.service';
import {
  AddParticipantDto,
  CreateRoomDto,
  ListMessagesQueryDto,
  ListRoomsQueryDto,
  PostMessageDto,
  UpdateRoomDto,
} from './dto/room.dto';
import {
  RoomMessageResponseDto,
  RoomParticipantResponseDto,
  RoomResponseDto,
} from './dto/room-response.dto';

/** The error codes every route on one room can answer; each route adds its own. */
const ROOM_PROBLEMS = {
  400: ['REQUEST.VALIDATION_FAILED', 'REQUEST.INVALID_ID'],
  403: 'PROJECT.FORBIDDEN',
  404: 'ROOM.NOT_FOUND',
};

@ApiTags('rooms')
@ApiAuth()
@Controller('rooms')
export class RoomsController {
  constructor(private readonly rooms: RoomsService) {}

  @Post()
  @Audit('room.create', 'room')
  @ApiOp('createRoom', 'Create a room', 'Users who manage the project.')
  @ApiCreatedResponse({ type: RoomResponseDto, description: 'The new room.' })
  @ApiProblems([400, 401, 403, 404, 413, 415], {
    400: 'REQUEST.VALIDATION_FAILED',
    403: 'PROJECT.FORBIDDEN',
    404: 'PROJECT.NOT_FOUND',
  })
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateRoomDto,
  ): Promise<RoomResponseDto> {
    return this.rooms.create(principal, dto);
  }

  @Get()
  @ApiOp(
    'listRooms',
    'List rooms',
    'Newest first; without `project_id`, the rooms of every project the caller may read.',
  )
  @ApiPage(RoomResponseDto)
  @ApiProblems([400, 401, 403, 404], {
    400: 'REQUEST.VALIDATION_FAILED',
    403: 'PROJECT.FORBIDDEN',
    404: 'PROJECT.NOT_FOUND',
  })
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListRoomsQueryDto,
  ): Promise<Page<RoomResponseDto>> {
    return this.rooms.list(principal, query);
  }

  @Get(':id')
  @ApiOp('getRoom', 'Get a room')
  @ApiUuidParam('id', 'The room.')
  @ApiOkResponse({ type: RoomResponseDto, description: 'The room.' })
  @ApiProblems([400, 401, 403, 404], { ...ROOM_PROBLEMS, 400: 'REQUEST.INVALID_ID' })
  get(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<RoomResponseDto> {
    return this.rooms.get(principal, id);
  }

  @Patch(':id')
  @Audit('room.update', 'room')
  @ApiOp('updateRoom', 'Update a room', 'Users who manage the project.')
  @ApiUuidParam('id', 'The room.')
  @ApiOkResponse({ type: RoomResponseDto, description: 'The room as changed.' })
  @ApiProblems([400, 401, 403, 404, 413, 415], ROOM_PROBLEMS)
  update(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: UpdateRoomDto,
  ): Promise<RoomResponseDto> {
    return this.rooms.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Audit('room.delete', 'room')
  @ApiOp(
    'deleteRoom',
    'Delete a room',
    'Users who manage the project. Its participants and messages go with it; its tasks stay, with `room_id` null.',
  )
  @ApiUuidParam('id', 'The room.')
  @ApiNoContentResponse({ description: 'Deleted.' })
  // No body is expected, but Fastify still parses one that is sent: hence 413 and 415.
  @ApiProblems([400, 401, 403, 404, 413, 415], { ...ROOM_PROBLEMS, 400: 'REQUEST.INVALID_ID' })
  async remove(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @AuditNote() note: AuditNoteData,
  ): Promise<void> {
    note.projectId = (await this.rooms.remove(principal, id)).projectId;
  }

  @Post(':id/participants')
  @Audit('room.participant_add', 'room_participant')
  @ApiOp(
    'addRoomParticipant',
    'Add a participant to a room',
    "Users who manage the project. The participant is an agent of the room's project, or its owner or a superuser.",
  )
  @ApiUuidParam('id', 'The room.')
  @ApiCreatedResponse({ type: RoomParticipantResponseDto, description: 'The new participant.' })
  @ApiProblems([400, 401, 403, 404, 409, 413, 415], {
    ...ROOM_PROBLEMS,
    400: [...ROOM_PROBLEMS[400], 'ROOM.INVALID_PARTICIPANT'],
    409: 'ROOM.ALREADY_PARTICIPANT',
  })
  addParticipant(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: AddParticipantDto,
  ): Promise<RoomParticipantResponseDto> {
    return this.rooms.addParticipant(principal, id, dto);
  }

  @Get(':id/participants')
  @ApiOp('listRoomParticipants', 'List the participants of a room', 'Oldest first.')
  @ApiUuidParam('id', 'The room.')
  @ApiPage(RoomParticipantResponseDto)
  @ApiProblems([400, 401, 403, 404], ROOM_PROBLEMS)
  listParticipants(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: PaginationQueryDto,
  ): Promise<Page<RoomParticipantResponseDto>> {
    return this.rooms.listParticipants(principal, id, query);
  }

  @Delete(':id/participants/:participant_id')
  @HttpCode(204)
  @Audit('room.participant_remove', 'room_participant')
  @ApiOp(
    'removeRoomParticipant',
    'Remove a participant from a room',
    'Users who manage the project.',
  )
  @ApiUuidParam('id', 'The room.')
  @ApiUuidParam('participant_id', 'The participant: its `id`, not the agent or user id.')
  @ApiNoContentResponse({ description: 'Removed.' })
  // As for deleteRoom: a body sent anyway is parsed.
  @ApiProblems([400, 401, 403, 404, 413, 415], {
    ...ROOM_PROBLEMS,
    400: 'REQUEST.INVALID_ID',
    404: ['ROOM.NOT_FOUND', 'ROOM.PARTICIPANT_NOT_FOUND'],
  })
  async removeParticipant(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @UuidParam('participant_id') participantId: string,
    @AuditNote() note: AuditNoteData,
  ): Promise<void> {
    note.resourceId = participantId;
    note.projectId = (await this.rooms.removeParticipant(principal, id, participantId)).projectId;
  }

  @Post(':id/messages')
  @Audit('room.message_post', 'room_message')
  @ApiOp(
    'postRoomMessage',
    'Post a message to a room',
    'Users who manage the project post as themselves; an agent of the project only to a room it participates in.',
  )
  @ApiUuidParam('id', 'The room.')
  @ApiCreatedResponse({ type: RoomMessageResponseDto, description: 'The new message.' })
  @ApiProblems([400, 401, 403, 404, 413, 415], {
    ...ROOM_PROBLEMS,
    403: ['PROJECT.FORBIDDEN', 'ROOM.NOT_PARTICIPANT'],
  })
  postMessage(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: PostMessageDto,
  ): Promise<RoomMessageResponseDto> {
    return this.rooms.postMessage(principal, id, dto);
  }

  @Get(':id/messages')
  @ApiOp('listRoomMessages', 'List the messages of a room', 'Newest first unless `order=asc`.')
  @ApiUuidParam('id', 'The room.')
  @ApiPage(RoomMessageResponseDto)
  @ApiProblems([400, 401, 403, 404], ROOM_PROBLEMS)
  listMessages(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: ListMessagesQueryDto,
  ): Promise<Page<RoomMessageResponseDto>> {
    return this.rooms.listMessages(principal, id, query);
  }
}
