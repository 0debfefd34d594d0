import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Audit, AuditNote, AuditNoteData, CurrentPrincipal, Principal } from '@agenthub/auth';
import { Page, UuidParam } from '@agenthub/http';
import { TasksService } from './tasks.service';
import { AssignTaskDto } from './dto/assign-task.dto';
import { ClaimTaskDto, LeaseDto } from './dto/claim-task.dto';
import { CreateTaskDto } from './dto/create-task.dto';
import { DeleteTaskQueryDto } from './dto/delete-task-query.dto';
import { ListTasksQueryDto } from './dto/list-tasks-query.dto';
import { UpdateTaskDto } from './dto/update-task.dto';
import type { TaskResponse } from './dto/task-response.dto';

@ApiTags('tasks')
@ApiBearerAuth()
@Controller('tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Post()
  @Audit('task.create', 'task')
  create(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: CreateTaskDto,
  ): Promise<TaskResponse> {
    return this.tasks.create(principal, dto);
  }

  @Get()
  list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: ListTasksQueryDto,
  ): Promise<Page<TaskResponse>> {
    return this.tasks.list(principal, query);
  }

  /**
   * Agents only: the next task for the calling agent, or 204 when nothing is claimable.
   * An empty claim changed nothing, so it leaves no audit row (agents poll this).
   */
  @Post('claim')
  @HttpCode(200)
  @Audit('task.claim', 'task')
  @ApiNoContentResponse({ description: 'nothing is claimable right now' })
  async claim(
    @CurrentPrincipal() principal: Principal,
    @Body() dto: ClaimTaskDto,
    @Res({ passthrough: true }) reply: FastifyReply,
    @AuditNote() note: AuditNoteData,
  ): Promise<TaskResponse | undefined> {
    const task = await this.tasks.claim(principal, dto);
    if (task) return task;
    note.nothingChanged = true;
    reply.status(204);
    return undefined;
  }

  @Get(':id')
  get(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
  ): Promise<TaskResponse> {
    return this.tasks.get(principal, id);
  }

  @Patch(':id')
  @Audit('task.update', 'task')
  update(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: UpdateTaskDto,
  ): Promise<TaskResponse> {
    return this.tasks.update(principal, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @Audit('task.delete', 'task')
  async remove(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Query() query: DeleteTaskQueryDto,
    @AuditNote() note: AuditNoteData,
  ): Promise<void> {
    note.projectId = (await this.tasks.remove(principal, id, query.force ?? false)).projectId;
  }

  @Post(':id/assign')
  @HttpCode(200)
  @Audit('task.assign', 'task')
  assign(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: AssignTaskDto,
  ): Promise<TaskResponse> {
    return this.tasks.assign(principal, id, dto);
  }

  /** The lease holder pushes its lease out (default: 5 minutes from now). */
  @Post(':id/lease')
  @HttpCode(200)
  @Audit('task.lease_extend', 'task')
  extendLease(
    @CurrentPrincipal() principal: Principal,
    @UuidParam('id') id: string,
    @Body() dto: LeaseDto,
  ): Promise<TaskResponse> {
    return this.tasks.extendLease(principal, id, dto);
  }
}
