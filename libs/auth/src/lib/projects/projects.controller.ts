import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import {
  ApiAuth,
  ApiOp,
  ApiPage,
  ApiProblems,
  ApiUuidParam,
  Page,
  page,
  PaginationQueryDto,
  UuidParam,
} from '@agenthub/http';
import { Audit } from '../audit/audit.decorators';
import { ChangesAccess } from '../identity/access-cache';
import { UNAUTHENTICATED_CODES } from '../identity/auth.errors';
import { CurrentPrincipal } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { CreateProjectDto } from './dto/create-project.dto';
import { ProjectResponseDto, toProjectResponse } from './dto/project-response.dto';
import { UpdateProjectDto } from './dto/update-project.dto';
import { ProjectsService } from './projects.service';

const NOT_FOUND = { 404: 'PROJECT.NOT_FOUND' };
const MANAGE = { 403: 'PROJECT.FORBIDDEN', ...NOT_FOUND };

@ApiTags('projects')
@ApiAuth()
@ApiProblems([401], { 401: UNAUTHENTICATED_CODES })
@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post()
  @Audit('project.create', 'project')
  @ApiOp('createProject', 'Create a project', 'Users only; the caller becomes its owner.')
  @ApiCreatedResponse({ type: ProjectResponseDto, description: 'The new project.' })
  @ApiProblems([400, 403, 413, 415], { 403: 'AUTH.USER_REQUIRED' })
  async create(
    @Body() body: CreateProjectDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ProjectResponseDto> {
    return toProjectResponse(await this.projects.create(principal, body));
  }

  @Get()
  @ApiOp(
    'listProjects',
    'List the projects the caller can read',
    "A user's own projects (all of them for a superuser); an agent's own project.",
  )
  @ApiPage(ProjectResponseDto)
  @ApiProblems([400])
  async list(
    @Query() query: PaginationQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<ProjectResponseDto>> {
    const [items, total] = await this.projects.list(principal, query);
    return page(items.map(toProjectResponse), total, query);
  }

  @Get(':id')
  @ApiOp('getProject', 'Get a project')
  @ApiUuidParam('id')
  @ApiOkResponse({ type: ProjectResponseDto })
  @ApiProblems([400, 403, 404], { 403: 'PROJECT.FORBIDDEN', ...NOT_FOUND })
  async get(
    @UuidParam('id') id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ProjectResponseDto> {
    return toProjectResponse(await this.projects.get(principal, id));
  }

  @Patch(':id')
  @Audit('project.update', 'project')
  @ApiOp('updateProject', 'Update a project', 'Its owner and superusers only.')
  @ApiUuidParam('id')
  @ApiOkResponse({ type: ProjectResponseDto, description: 'The project as it is now.' })
  @ApiProblems([400, 403, 404, 413, 415], MANAGE)
  async update(
    @UuidParam('id') id: string,
    @Body() body: UpdateProjectDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ProjectResponseDto> {
    return toProjectResponse(await this.projects.update(principal, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @Audit('project.delete', 'project')
  @ChangesAccess()
  @ApiOp('deleteProject', 'Delete a project', 'Its owner and superusers only.')
  @ApiUuidParam('id')
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiProblems([400, 403, 404], MANAGE)
  async remove(
    @UuidParam('id') id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.projects.remove(principal, id);
  }
}
