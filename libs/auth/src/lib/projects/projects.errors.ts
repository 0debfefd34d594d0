import { ForbiddenError, NotFoundError } from '@agenthub/errors';

export class ProjectNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('PROJECT.NOT_FOUND', `Project ${id} does not exist`);
  }
}

export class ProjectAccessDeniedError extends ForbiddenError {
  constructor(level: 'read' | 'manage') {
    super(
      'PROJECT.FORBIDDEN',
      level === 'read'
        ? 'You may not access this project'
        : 'You may not change this project or anything in it',
    );
  }
}
