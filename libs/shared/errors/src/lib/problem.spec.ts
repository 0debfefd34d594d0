import { BadRequestException, NotFoundException } from '@nestjs/common';
import { DriverException } from '@mikro-orm/core';
import { ConflictError, RequestValidationError, TooManyRequestsError } from './domain-error';
import { toProblem } from './problem';

class AgentNameTakenError extends ConflictError {
  constructor() {
    super('AGENT.NAME_TAKEN', 'Agent name already exists in project');
  }
}

describe('toProblem', () => {
  it('maps a domain error by its kind and keeps its stable code', () => {
    expect(toProblem(new AgentNameTakenError())).toEqual({
      type: 'urn:agenthub:problem:agent.name_taken',
      title: 'Conflict',
      status: 409,
      detail: 'Agent name already exists in project',
      code: 'AGENT.NAME_TAKEN',
    });
  });

  it('lists every invalid field of a validation error', () => {
    const p = toProblem(
      new RequestValidationError({ name: ['must be a string'], 'agents.0.status': ['bad'] }),
    );
    expect(p).toMatchObject({ status: 400, code: 'REQUEST.VALIDATION_FAILED' });
    expect(p?.errors).toEqual({ name: ['must be a string'], 'agents.0.status': ['bad'] });
    expect(p?.detail).toContain('name (must be a string)');
  });

  it('maps Nest HTTP exceptions to generic codes', () => {
    expect(toProblem(new NotFoundException('Cannot GET /x'))).toMatchObject({
      status: 404,
      code: 'RESOURCE.NOT_FOUND',
      detail: 'Cannot GET /x',
    });
    expect(toProblem(new BadRequestException(['a', 'b']))).toMatchObject({
      status: 400,
      detail: 'a; b',
    });
  });

  it('maps framework client errors such as malformed JSON', () => {
    const error = Object.assign(new Error('Body is not valid JSON'), {
      statusCode: 400,
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
    });
    expect(toProblem(error)).toMatchObject({ status: 400, code: 'REQUEST.INVALID_BODY' });
  });

  it('leaves bugs unmapped so they become a logged 500', () => {
    expect(toProblem(new TypeError('x is undefined'))).toBeUndefined();
    expect(toProblem(Object.assign(new Error('boom'), { statusCode: 500 }))).toBeUndefined();
  });

  it('keeps retry information on rate limits', () => {
    const error = new TooManyRequestsError('AUTH.TOO_MANY_ATTEMPTS', 'slow down', 60);
    expect(toProblem(error)).toMatchObject({ status: 429, code: 'AUTH.TOO_MANY_ATTEMPTS' });
    expect(error.retryAfterSeconds).toBe(60);
  });
});

describe('toProblem: the database is unavailable', () => {
  const unavailable = { status: 503, code: 'SERVICE.UNAVAILABLE' };

  it('answers 503 when PostgreSQL is shutting down or starting up', () => {
    for (const code of ['57P01', '57P02', '57P03', '08006', '08P01', '53300', '57014'])
      expect(toProblem(Object.assign(new Error('terminating connection'), { code }))).toMatchObject(
        unavailable,
      );
  });

  it('answers 503 for a refused or cut connection, also wrapped by the ORM', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(toProblem(refused)).toMatchObject(unavailable);
    expect(toProblem(new DriverException(refused))).toMatchObject(unavailable);
    expect(toProblem(new Error('Connection terminated unexpectedly'))).toMatchObject(unavailable);
    const afterCut = new Error(
      'Transaction query already complete, run with DEBUG=knex:tx for more info',
    );
    expect(toProblem(new DriverException(afterCut))).toMatchObject(unavailable);
    expect(toProblem(new Error('outer', { cause: refused }))).toMatchObject(unavailable);
  });

  it('answers 503 when no pooled connection is free in time', () => {
    const timeout = Object.assign(new Error('Knex: Timeout acquiring a connection.'), {
      name: 'KnexTimeoutError',
    });
    expect(toProblem(timeout)).toMatchObject(unavailable);
  });

  it('never reads an outage into text a client sent, nor into an error the database answered', () => {
    // knex prefixes the failing SQL, values inlined: a title cannot make a bug look like an outage.
    const bug = new Error(`insert into "tasks" ("title") values ('Connection terminated') - boom`);
    expect(toProblem(bug)).toBeUndefined();
    const duplicate = Object.assign(
      new Error(`insert into "tasks" ("title") values ('Connection terminated') - duplicate key`),
      { code: '23505', cause: new Error('Connection terminated') },
    );
    expect(toProblem(duplicate)).toBeUndefined(); // the database answered: not a 503
  });

  it('does not call a misconfigured pooler an outage', () => {
    const refused = Object.assign(new Error('unsupported startup parameter: statement_timeout'), {
      code: '08P01',
    });
    expect(toProblem(refused)).toBeUndefined();
  });

  it('keeps constraint violations and bugs as they were', () => {
    expect(toProblem(Object.assign(new Error('dup'), { code: '23505' }))).toBeUndefined();
    expect(toProblem(new RangeError('Invalid time value'))).toBeUndefined();
  });
});
