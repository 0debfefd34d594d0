import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';
import { resolve } from 'node:path';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The validated configuration every app reads. Built once by {@link loadConfig}. */
export interface AppConfig {
  readonly nodeEnv: string;
  readonly isProduction: boolean;
  readonly port: number;
  readonly host: string;
  /** Unset means "start the embedded PostgreSQL under dataDir". */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  /** The built console (dist/apps/console) the API serves at /console; unset: found next to the API. */
  readonly consoleDir?: string;
  /** Unset outside production: a generated secret is kept in the data dir. */
  readonly jwtSecret?: string;
  readonly jwtTtlSeconds: number;
  readonly dbPoolMax: number;
  /** How long a request waits for a free pooled connection before it is answered 503. */
  readonly dbAcquireTimeoutMs: number;
  /** PostgreSQL's statement_timeout for the API's connections (0: none). */
  readonly dbStatementTimeoutMs: number;
  readonly logLevel: LogLevel;
  readonly adminEmail?: string;
  readonly adminPassword?: string;
  readonly allowRegistration: boolean;
  readonly migrateOnStart: boolean;
  readonly agentHeartbeatTimeoutSeconds: number;
  /**
   * A connection that bypasses a transaction-mode pooler, for LISTEN (unset: databaseUrl).
   * Read it through {@link directDatabaseUrl}.
   */
  readonly databaseDirectUrl?: string;
  /**
   * Whether the hot statements run as named prepared statements (off behind a pooler in
   * transaction mode that cannot carry them: by default when databaseDirectUrl is set).
   */
  readonly preparedStatements: boolean;
  /** Final agent messages older than this many days are purged. */
  readonly messageRetentionDays: number;
  /** Events are kept this many hours for replay. */
  readonly eventRetentionHours: number;
  /**
   * How many `GET /events` streams one principal (an agent key, a user) may have open at once
   * in this process (N replicas: up to N times that in all); one more is answered 429.
   */
  readonly eventStreamsPerPrincipal: number;
  /** How many steps a workflow definition may have. */
  readonly workflowMaxSteps: number;
  /** Performance points older than this many days are purged. */
  readonly metricRetentionDays: number;
  /** α of the moving average that moves a capability's confidence toward each outcome. */
  readonly confidenceLearningRate: number;
}

/** The connection for LISTEN: DATABASE_DIRECT_URL, else DATABASE_URL. */
export function directDatabaseUrl(config: AppConfig): string {
  const url = config.databaseDirectUrl ?? config.databaseUrl;
  if (!url) throw new Error('DATABASE_URL must be resolved before the API starts');
  return url;
}

/** A bad environment: the message is one line that names the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

const toBoolean = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const toInteger = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\s*-?(\d+\.?\d*|\.\d+)\s*$/.test(value) ? Number(value) : value;
const DURATION = /^(\d+)\s*(ms|s|m|h|d)?$/;

/** Every variable of the config, with its rule. Order = order of the error messages. */
class EnvironmentVariables {
  @IsOptional() @IsString() NODE_ENV?: string;

  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'must be an integer port number' })
  @Min(1, { message: 'must be between 1 and 65535' })
  @Max(65535, { message: 'must be between 1 and 65535' })
  PORT?: number;

  @IsOptional() @IsString() @IsNotEmpty() HOST?: string;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, {
    message: 'must be a postgres://user:pass@host:port/db URL',
  })
  DATABASE_URL?: string;

  @IsOptional() @IsString() @IsNotEmpty() AGENTHUB_DATA_DIR?: string;

  @IsOptional() @IsString() @IsNotEmpty() AGENTHUB_CONSOLE_DIR?: string;

  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET?: string;

  @IsOptional()
  @Matches(DURATION, { message: 'must be a duration such as 900, 15m or 1h' })
  JWT_TTL?: string;

  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be between 1 and 1000' })
  @Max(1000, { message: 'must be between 1 and 1000' })
  DB_POOL_MAX?: number;

  @IsOptional()
  @Matches(DURATION, { message: 'must be a duration such as 5s or 5000ms' })
  DB_ACQUIRE_TIMEOUT?: string;

  @IsOptional()
  @Matches(DURATION, { message: 'must be a duration such as 30s or 1m (0: none)' })
  DB_STATEMENT_TIMEOUT?: string;

  @IsOptional()
  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL?: LogLevel;

  @IsOptional() @IsEmail({}, { message: 'must be an email address' }) AGENTHUB_ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'must be 8 to 128 characters' })
  @MaxLength(128, { message: 'must be 8 to 128 characters' })
  AGENTHUB_ADMIN_PASSWORD?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  AGENTHUB_ALLOW_REGISTRATION?: boolean;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  AGENTHUB_MIGRATE_ON_START?: boolean;

  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'must be a whole number of seconds' })
  @Min(1, { message: 'must be at least 1 second' })
  AGENT_HEARTBEAT_TIMEOUT?: number;

  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/[^\s]+$/, {
    message: 'must be a postgres://user:pass@host:port/db URL',
  })
  DATABASE_DIRECT_URL?: string;

  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'must be true or false' })
  DATABASE_PREPARED_STATEMENTS?: boolean;

  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'must be a whole number of days' })
  @Min(1, { message: 'must be between 1 and 3650 days' })
  @Max(3650, { message: 'must be between 1 and 3650 days' })
  MESSAGE_RETENTION_DAYS?: number;

  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'must be a whole number of hours' })
  @Min(1, { message: 'must be between 1 and 8760 hours' })
  @Max(8760, { message: 'must be between 1 and 8760 hours' })
  EVENT_RETENTION_HOURS?: number;

  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'must be a whole number of streams' })
  @Min(1, { message: 'must be between 1 and 10000 streams' })
  @Max(10_000, { message: 'must be between 1 and 10000 streams' })
  EVENT_STREAMS_PER_PRINCIPAL?: number;

  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'must be a whole number of steps' })
  @Min(1, { message: 'must be between 1 and 10000 steps' })
  @Max(10_000, { message: 'must be between 1 and 10000 steps' })
  WORKFLOW_MAX_STEPS?: number;

  @IsOptional()
  @Transform(toInteger)
  @IsInt({ message: 'must be a whole number of days' })
  @Min(1, { message: 'must be between 1 and 3650 days' })
  @Max(3650, { message: 'must be between 1 and 3650 days' })
  METRIC_RETENTION_DAYS?: number;

  @IsOptional()
  @Transform(toNumber)
  @IsNumber(
    { allowNaN: false, allowInfinity: false },
    { message: 'must be a number above 0, at most 1' },
  )
  @Min(0.000001, { message: 'must be a number above 0, at most 1' })
  @Max(1, { message: 'must be a number above 0, at most 1' })
  CONFIDENCE_LEARNING_RATE?: number;
}

/** Parses a duration (`900`, `900s`, `15m`, `1h`, `1d`) into whole seconds. */
export function parseDurationSeconds(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text}`);
  const n = Number(match[1]);
  const unit = match[2] ?? 's';
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[unit] ?? 1;
  return Math.max(1, Math.round(n * factor));
}

/** Parses a duration (`500ms`, `900` = seconds, `15m`, …) into milliseconds; `0` stays 0. */
export function parseDurationMs(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) throw new Error(`not a duration: ${text}`);
  const factor =
    { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 's'] ?? 1000;
  return Number(match[1]) * factor;
}

/**
 * Reads and validates the environment. Throws {@link ConfigError} on the first bad
 * variable; apps print its message and exit non-zero.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  // Empty strings count as unset, as in most twelve-factor tooling.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const vars = plainToInstance(EnvironmentVariables, present, { excludeExtraneousValues: false });
  const errors = validateSync(vars, { skipMissingProperties: false, forbidUnknownValues: false });
  if (errors.length > 0) {
    const first = errors[0];
    const message = Object.values(first.constraints ?? {})[0] ?? 'is invalid';
    const shown =
      first.property.includes('PASSWORD') || first.property.includes('SECRET')
        ? ''
        : ` (got "${String(present[first.property])}")`;
    const sentence = message.startsWith(first.property) ? message : `${first.property} ${message}`;
    throw new ConfigError(first.property, `${sentence}${shown}`);
  }

  const nodeEnv = vars.NODE_ENV ?? 'development';
  const isProduction = nodeEnv === 'production';
  if (isProduction && !vars.JWT_SECRET) {
    throw new ConfigError('JWT_SECRET', 'JWT_SECRET is required when NODE_ENV=production');
  }
  if (Boolean(vars.AGENTHUB_ADMIN_EMAIL) !== Boolean(vars.AGENTHUB_ADMIN_PASSWORD)) {
    const missing = vars.AGENTHUB_ADMIN_EMAIL ? 'AGENTHUB_ADMIN_PASSWORD' : 'AGENTHUB_ADMIN_EMAIL';
    throw new ConfigError(
      missing,
      `${missing} must be set together with ${missing === 'AGENTHUB_ADMIN_EMAIL' ? 'AGENTHUB_ADMIN_PASSWORD' : 'AGENTHUB_ADMIN_EMAIL'}`,
    );
  }

  const dbAcquireTimeoutMs = parseDurationMs(vars.DB_ACQUIRE_TIMEOUT ?? '5s');
  if (dbAcquireTimeoutMs < 100 || dbAcquireTimeoutMs > 600_000)
    throw new ConfigError(
      'DB_ACQUIRE_TIMEOUT',
      `DB_ACQUIRE_TIMEOUT must be between 100ms and 10m (got "${vars.DB_ACQUIRE_TIMEOUT}")`,
    );
  const dbStatementTimeoutMs = parseDurationMs(vars.DB_STATEMENT_TIMEOUT ?? '30s');
  // PostgreSQL's statement_timeout is a 32-bit count of milliseconds.
  if (dbStatementTimeoutMs > 2_147_483_647)
    throw new ConfigError(
      'DB_STATEMENT_TIMEOUT',
      `DB_STATEMENT_TIMEOUT must be at most 24d (got "${vars.DB_STATEMENT_TIMEOUT}")`,
    );

  return Object.freeze({
    nodeEnv,
    isProduction,
    port: vars.PORT ?? 3000,
    host: vars.HOST ?? '127.0.0.1',
    databaseUrl: vars.DATABASE_URL,
    dataDir: resolve(vars.AGENTHUB_DATA_DIR ?? './.data'),
    consoleDir: vars.AGENTHUB_CONSOLE_DIR ? resolve(vars.AGENTHUB_CONSOLE_DIR) : undefined,
    jwtSecret: vars.JWT_SECRET,
    jwtTtlSeconds: parseDurationSeconds(vars.JWT_TTL ?? '15m'),
    dbPoolMax: vars.DB_POOL_MAX ?? 20,
    dbAcquireTimeoutMs,
    dbStatementTimeoutMs,
    logLevel: vars.LOG_LEVEL ?? 'info',
    adminEmail: vars.AGENTHUB_ADMIN_EMAIL?.trim().toLowerCase(),
    adminPassword: vars.AGENTHUB_ADMIN_PASSWORD,
    allowRegistration: vars.AGENTHUB_ALLOW_REGISTRATION ?? true,
    // The embedded server is a development convenience: migrate it on start. A real
    // server is migrated by the migrator Job unless asked otherwise.
    migrateOnStart: vars.AGENTHUB_MIGRATE_ON_START ?? !vars.DATABASE_URL,
    agentHeartbeatTimeoutSeconds: vars.AGENT_HEARTBEAT_TIMEOUT ?? 60,
    databaseDirectUrl: vars.DATABASE_DIRECT_URL,
    // A direct URL means a pooler in front of DATABASE_URL, most often PgBouncer in
    // transaction mode, which (before 1.21) loses a connection's prepared statements.
    preparedStatements: vars.DATABASE_PREPARED_STATEMENTS ?? !vars.DATABASE_DIRECT_URL,
    messageRetentionDays: vars.MESSAGE_RETENTION_DAYS ?? 30,
    eventRetentionHours: vars.EVENT_RETENTION_HOURS ?? 72,
    eventStreamsPerPrincipal: vars.EVENT_STREAMS_PER_PRINCIPAL ?? 16,
    workflowMaxSteps: vars.WORKFLOW_MAX_STEPS ?? 500,
    metricRetentionDays: vars.METRIC_RETENTION_DAYS ?? 90,
    confidenceLearningRate: vars.CONFIDENCE_LEARNING_RATE ?? 0.2,
  });
}
