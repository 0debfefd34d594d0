import { Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Principal, Project, ProjectAccessPolicy, User } from '@agenthub/auth';
import { Agent } from '@agenthub/agents';
import { EventLog } from '@agenthub/events';
import { Page, page } from '@agenthub/http';
import { ChatRoom } from './entities/chat-room.entity';
import { ChatParticipant } from './entities/chat-participant.entity';
import { ChatMessage } from './entities/chat-message.entity';
import {
  AlreadyParticipantError,
  InvalidParticipantError,
  NotRoomParticipantError,
  ParticipantNotFoundError,
  RoomNotFoundError,
} from './messaging.errors';
import type {
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
  toMessageResponse,
  toParticipantResponse,
  toRoomResponse,
} from './dto/room-response.dto';

/**
 * Rooms, participants and room messages. Who may do what is the project policy: 'manage'
 * (owner, superusers) creates, changes and deletes rooms and members and posts as a user;
 * 'read' (also the project's own agents) looks. On top of that, an agent posts only to a room
 * it participates in, and only as itself.
 */
@Injectable()
export class RoomsService {
  constructor(
    private readonly em: EntityManager,
    private readonly policy: ProjectAccessPolicy,
    private readonly events: EventLog,
  ) {}

  async create(principal: Principal, dto: CreateRoomDto): Promise<RoomResponseDto> {
    await this.policy.assertCanAccess(principal, dto.project_id, 'manage');
    const room = this.em.create(ChatRoom, {
      projectId: dto.project_id,
      name: dto.name,
      description: dto.description ?? null,
      createdBy: principal.kind === 'user' ? principal.userId : null,
    });
    await this.em.flush();
    return toRoomResponse(room);
  }

  async list(principal: Principal, query: ListRoomsQueryDto): Promise<Page<RoomResponseDto>> {
    const scope = await this.policy.listScope(principal, query.project_id);
    const projectFilter = scope.kind === 'all' ? {} : { projectId: { $in: [...scope.projectIds] } };
    const [rooms, total] = await this.em.findAndCount(ChatRoom, projectFilter, {
      orderBy: { createdAt: 'desc', id: 'desc' },
      limit: query.limit,
      offset: query.offset,
    });
    return page(rooms.map(toRoomResponse), total, query);
  }

  async get(principal: Principal, id: string): Promise<RoomResponseDto> {
    return toRoomResponse((await this.roomFor(principal, id, 'read')).room);
  }

  async update(principal: Principal, id: string, dto: UpdateRoomDto): Promise<RoomResponseDto> {
    const { room } = await this.roomFor(principal, id, 'manage');
    if (dto.name !== undefined) room.name = dto.name;
    if (dto.description !== undefined) room.description = dto.description;
    await this.em.flush();
    return toRoomResponse(room);
  }

  /** Participants and messages go with the room (FK cascade); tasks keep theirs with room_id null. */
  async remove(principal: Principal, id: string): Promise<{ projectId: string }> {
    const { room } = await this.roomFor(principal, id, 'manage');
    await this.em.nativeDelete(ChatRoom, { id: room.id });
    return { projectId: room.projectId };
  }

  async addParticipant(
    principal: Principal,
    roomId: string,
    dto: AddParticipantDto,
  ): Promise<RoomParticipantResponseDto> {
    const { room, project } = await this.roomFor(principal, roomId, 'manage');
    if ((dto.agent_id === undefined) === (dto.user_id === undefined)) {
      throw new InvalidParticipantError(
        'agent_id/user_id',
        'Give exactly one of agent_id or user_id',
      );
    }
    const participant = this.em.create(ChatParticipant, { roomId: room.id });
    if (dto.agent_id !== undefined) {
      const agent = await this.em.findOne(
        Agent,
        { id: dto.agent_id },
        { fields: ['id', 'projectId'] },
      );
      if (!agent || agent.projectId !== room.projectId) {
        throw new InvalidParticipantError(
          'agent_id',
          "agent_id must be an agent of the room's project",
        );
      }
      participant.agentId = agent.id;
    } else {
      // Until projects have members, the users who may take part are those who manage it.
      const user = await this.em.findOne(User, { id: dto.user_id });
      if (!user || !(user.isSuperuser || user.id === project.owner.id)) {
        throw new InvalidParticipantError(
          'user_id',
          "user_id must be the project's owner or a superuser",
        );
      }
      participant.userId = user.id;
    }
    try {
      await this.em.flush();
    } catch (error) {
      if (error instanceof UniqueConstraintViolationException) throw new AlreadyParticipantError();
      throw error;
    }
    return toParticipantResponse(participant);
  }

  async listParticipants(
    principal: Principal,
    roomId: string,
    query: { limit: number; offset: number },
  ): Promise<Page<RoomParticipantResponseDto>> {
    const { room } = await this.roomFor(principal, roomId, 'read');
    const [participants, total] = await this.em.findAndCount(
      ChatParticipant,
      { roomId: room.id },
      { orderBy: { joinedAt: 'asc', id: 'asc' }, limit: query.limit, offset: query.offset },
    );
    return page(participants.map(toParticipantResponse), total, query);
  }

  async removeParticipant(
    principal: Principal,
    roomId: string,
    participantId: string,
  ): Promise<{ projectId: string }> {
    const { room } = await this.roomFor(principal, roomId, 'manage');
    const deleted = await this.em.nativeDelete(ChatParticipant, {
      id: participantId,
      roomId: room.id,
    });
    if (deleted === 0) throw new ParticipantNotFoundError();
    return { projectId: room.projectId };
  }

  async postMessage(
    principal: Principal,
    roomId: string,
    dto: PostMessageDto,
  ): Promise<RoomMessageResponseDto> {
    let room: ChatRoom;
    if (principal.kind === 'user') {
      ({ room } = await this.roomFor(principal, roomId, 'manage'));
    } else {
      ({ room } = await this.roomFor(principal, roomId, 'read'));
      const member = await this.em.count(ChatParticipant, { roomId, agentId: principal.agentId });
      if (member === 0) throw new NotRoomParticipantError();
    }
    const message = this.em.create(ChatMessage, {
      roomId,
      senderType: principal.kind,
      senderUserId: principal.kind === 'user' ? principal.userId : null,
      senderAgentId: principal.kind === 'agent' ? principal.agentId : null,
      content: dto.content,
      messageType: dto.message_type ?? 'text',
      meta: dto.meta ?? null,
    });
    await this.em.flush();
    const posted = toMessageResponse(message);
    // In the request transaction: the room's participants (and the project's managers) see
    // the message on their event streams once it is committed.
    await this.events.append({
      type: 'room.message',
      projectId: room.projectId,
      audience: { kind: 'room', roomId: room.id },
      data: posted,
    });
    return posted;
  }

  async listMessages(
    principal: Principal,
    roomId: string,
    query: ListMessagesQueryDto,
  ): Promise<Page<RoomMessageResponseDto>> {
    const { room } = await this.roomFor(principal, roomId, 'read');
    const order = query.order === 'asc' ? 'asc' : 'desc';
    const [messages, total] = await this.em.findAndCount(
      ChatMessage,
      { roomId: room.id },
      { orderBy: { createdAt: order, id: order }, limit: query.limit, offset: query.offset },
    );
    return page(messages.map(toMessageResponse), total, query);
  }

  /** The room (404 when missing) and its project, when the principal may access it at `level`. */
  private async roomFor(
    principal: Principal,
    id: string,
    level: 'read' | 'manage',
  ): Promise<{ room: ChatRoom; project: Project }> {
    const room = await this.em.findOne(ChatRoom, { id });
    if (!room) throw new RoomNotFoundError();
    const project = await this.policy.projectFor(principal, room.projectId, level);
    return { room, project };
  }
}
