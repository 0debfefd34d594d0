import { Body, Controller, Delete, Get, HttpCode, Patch, Post, Query } from '@nestjs/common';
import { Page, page, PaginationQueryDto, UuidParam } from '@agenthub/http';
import { Audit } from '../audit/audit.decorators';
import { CurrentPrincipal } from '../identity/decorators';
import type { Principal } from '../identity/principal';
import { CreateProjectDto } from './dto/create-project.dto';
import { ProjectResponse, toProjectResponse } from './dto/project-response.dto';
import { UpdateProjectDto } from './dto/update-project.dto';
import { ProjectsService } from './projects.service';

@Controller('projects')
export class ProjectsController {
  constructor(private readonly projects: ProjectsService) {}

  @Post()
  @Audit('project.create', 'project')
  async create(
    @Body() body: CreateProjectDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ProjectResponse> {
    return toProjectResponse(await this.projects.create(principal, body));
  }

  @Get()
  async list(
    @Query() query: PaginationQueryDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<ProjectResponse>> {
    const [items, total] = await this.projects.list(principal, query);
    return page(items.map(toProjectResponse), total, query);
  }

  @Get(':id')
  async get(
    @UuidParam('id') id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ProjectResponse> {
    return toProjectResponse(await this.projects.get(principal, id));
  }

  @Patch(':id')
  @Audit('project.update', 'project')
  async update(
    @UuidParam('id') id: string,
    @Body() body: UpdateProjectDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<ProjectResponse> {
    return toProjectResponse(await this.projects.update(principal, id, body));
  }

  @Delete(':id')
  @HttpCode(204)
  @Audit('project.delete', 'project')
  async remove(
    @UuidParam('id') id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.projects.remove(principal, id);
  }
}
