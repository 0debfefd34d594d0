import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Audit, AuditNote, AuditNoteData, CurrentPrincipal, Principal } from '@agenthub/auth';
import { Page, PaginationQueryDto, UuidParam } from '@agenthub/http';
import { RoomsService } from './rooms.service';
import {
  AddParticipantDto,
  CreateRoomDto,
  ListMessagesQueryDto,
  ListRoomsQueryDto,
  PostMessageDto,
  UpdateRoomDto,
} from './dto/room.dto';
import type { MessageResponse, ParticipantResponse, RoomResponse } from './dto/room-response.dto';

@ApiTags('rooms')
@ApiBearerAuth()
@Controller('rooms')
export class RoomsController {
  constructor(private readonly rooms: RoomsService) {}

  @Post()
  @Audit('room.create', 'room')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateRoomDto,
  ): Promise<RoomResponse> {
    return this.rooms.create(principal, dto);
  }

  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListRoomsQueryDto,
  ): Promise<Page<RoomResponse>> {
    return this.rooms.list(principal, query);
  }

  @Get(':id')
  get(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<RoomResponse> {
    return this.rooms.get(principal, id);
  }

  @Patch(':id')
  @Audit('room.update', 'room')
  update(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: UpdateRoomDto,
  ): Promise<RoomResponse> {
    return this.rooms.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Audit('room.delete', 'room')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @AuditNote() note: AuditNoteData,
  ): Promise<void> {
    note.projectId = (await this.rooms.remove(principal, id)).projectId;
  }

  @Post(':id/participants')
  @Audit('room.participant_add', 'room_participant')
  addParticipant(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: AddParticipantDto,
  ): Promise<ParticipantResponse> {
    return this.rooms.addParticipant(principal, id, dto);
  }

  @Get(':id/participants')
  listParticipants(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: PaginationQueryDto,
  ): Promise<Page<ParticipantResponse>> {
    return this.rooms.listParticipants(principal, id, query);
  }

  @Delete(':id/participants/:participant_id')
  @HttpCode(204)
  @Audit('room.participant_remove', 'room_participant')
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
  postMessage(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: PostMessageDto,
  ): Promise<MessageResponse> {
    return this.rooms.postMessage(principal, id, dto);
  }

  @Get(':id/messages')
  listMessages(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: ListMessagesQueryDto,
  ): Promise<Page<MessageResponse>> {
    return this.rooms.listMessages(principal, id, query);
  }
}
