import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { APP_CONFIG, AppConfig } from '@agenthub/config';
import { AuditService } from '../audit/audit.service';
import { normaliseEmail } from './entities/user.entity';
import { PasswordHasher } from './password-hasher';
import { UserRepository } from './user.repository';

export type AdminBootstrapOutcome = 'created' | 'promoted' | 'unchanged';

const UNDEFINED_TABLE = '42P01';
const RETRY_MS = 5_000;

/**
 * `AGENTHUB_ADMIN_EMAIL` + `AGENTHUB_ADMIN_PASSWORD`: after start, that user exists, is a
 * superuser and is active. Idempotent, also when several API processes start at once (one
 * upsert on the unique email). An existing user keeps their password: the variable is the
 * first password, not a reset — otherwise an admin's changed password would silently come
 * back on every restart. Creating or promoting the admin is audited (actor `system`).
 *
 * When the schema is not migrated yet (the migrator Job may still be running), it waits
 * and tries again instead of failing the start.
 */
@Injectable()
export class AdminBootstrap implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AdminBootstrap');
  private retry?: NodeJS.Timeout;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly em: EntityManager,
    private readonly hasher: PasswordHasher,
    private readonly users: UserRepository,
    private readonly audit: AuditService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.adminEmail || !this.config.adminPassword) return;
    try {
      await this.ensureAdmin(this.config.adminEmail, this.config.adminPassword);
    } catch (error) {
      if ((error as { code?: string }).code !== UNDEFINED_TABLE) throw error;
      this.logger.warn(
        `users table missing (migrations pending); retrying the admin bootstrap every ${RETRY_MS / 1000} s`,
      );
      this.scheduleRetry();
    }
  }

  onApplicationShutdown(): void {
    clearTimeout(this.retry);
  }

  private scheduleRetry(): void {
    this.retry = setTimeout(() => {
      this.ensureAdmin(this.config.adminEmail as string, this.config.adminPassword as string).catch(
        (error: unknown) => {
          if ((error as { code?: string }).code === UNDEFINED_TABLE) return this.scheduleRetry();
          this.logger.error(
            `admin bootstrap failed: ${error instanceof Error ? error.message : String(error)}`,
          );
        },
      );
    }, RETRY_MS);
    this.retry.unref();
  }

  async ensureAdmin(emailAsGiven: string, password: string): Promise<AdminBootstrapOutcome> {
    const email = normaliseEmail(emailAsGiven);
    const passwordHash = await this.hasher.hash(password);
    const outcome = await this.em.fork().transactional(async (em) => {
      const admin = await this.users.upsertAdmin(email, passwordHash, em);
      if (!admin) return 'unchanged' as const;
      const result: AdminBootstrapOutcome = admin.inserted ? 'created' : 'promoted';
      await this.audit.record(
        {
          actorType: 'system',
          actorId: null,
          action: result === 'created' ? 'user.create_admin' : 'user.promote_admin',
          resourceType: 'user',
          resourceId: admin.id,
          projectId: null,
          requestId: null,
        },
        em,
      );
      return result;
    });
    this.logger.log(`admin ${email}: ${outcome}`);
    return outcome;
  }
}
