import { Body, Controller, Get, Module, Post, Query } from '@nestjs/common';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { createTestApp, TestApp } from '@agenthub/testing';
import { PaginationQueryDto, UuidParam } from '@agenthub/http';

class CreateThingDto {
  @IsString() @MaxLength(10) name!: string;
  @IsInt() @Min(0) @Max(5) size!: number;
}

@Controller('things')
class ThingsController {
  @Post()
  create(@Body() body: CreateThingDto) {
    return { ...body, type: body.constructor.name };
  }

  @Get()
  list(@Query() query: PaginationQueryDto) {
    return query;
  }

  @Get(':id')
  one(@UuidParam('id') id: string) {
    return { id };
  }

  @Get('boom/now')
  boom() {
    throw new Error('database password is hunter2');
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

describe('HTTP conventions (configureHttpApp)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(ThingsModule);
  });
  afterAll(() => t.close());

  const post = (payload: unknown) =>
    t.request({ method: 'POST', url: '/api/v1/things', payload: payload as object });

  it('serves routes under /api/v1 and transforms bodies into their DTO', async () => {
    const res = await post({ name: 'a', size: 1 });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toEqual({ name: 'a', size: 1, type: 'CreateThingDto' });
  });

  it('refuses an unknown body field with a problem naming it', async () => {
    const res = await post({ name: 'a', size: 1, colour: 'red' });
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json()).toMatchObject({
      status: 400,
      code: 'REQUEST.VALIDATION_FAILED',
      errors: { colour: [expect.stringContaining('colour')] },
    });
  });

  it('names every invalid field', async () => {
    const res = await post({ name: 42, size: 'big' });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().errors).sort()).toEqual(['name', 'size']);
  });

  it('answers malformed JSON and a wrong content type with a 4xx problem', async () => {
    const bad = await t.request({
      method: 'POST',
      url: '/api/v1/things',
      payload: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    const xml = await t.request({
      method: 'POST',
      url: '/api/v1/things',
      payload: '<a/>',
      headers: { 'content-type': 'application/xml' },
    });
    expect(xml.statusCode).toBe(415);
    expect(xml.headers['content-type']).toContain('application/problem+json');
    expect(xml.json().code).toBe('REQUEST.UNSUPPORTED_MEDIA_TYPE');
  });

  it('applies pagination defaults and limits', async () => {
    expect((await t.request({ method: 'GET', url: '/api/v1/things' })).json()).toEqual({
      limit: 50,
      offset: 0,
    });
    expect(
      (await t.request({ method: 'GET', url: '/api/v1/things?limit=500&offset=3' })).json(),
    ).toEqual({ limit: 500, offset: 3 });
    const tooMany = await t.request({ method: 'GET', url: '/api/v1/things?limit=501' });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().errors.limit).toBeDefined();
  });

  it('answers a malformed UUID in the path with 400, not 500', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/things/not-a-uuid' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      code: 'REQUEST.INVALID_ID',
      errors: { id: ['must be a UUID'] },
    });
  });

  it('answers an unknown route with a problem+json 404', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect(res.json().code).toBe('RESOURCE.NOT_FOUND');
  });

  it('hides the details of unexpected errors behind a generic 500', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/things/boom/now' });
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain('hunter2');
    expect(res.json().code).toBe('INTERNAL');
  });
});
