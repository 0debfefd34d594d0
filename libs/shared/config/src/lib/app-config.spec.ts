import { ConfigError, loadConfig, parseDurationSeconds } from './app-config';

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      jwtTtlSeconds: 900,
      dbPoolMax: 20,
      dbAcquireTimeoutMs: 5000,
      dbStatementTimeoutMs: 30000,
      logLevel: 'info',
      allowRegistration: true,
      migrateOnStart: true,
      agentHeartbeatTimeoutSeconds: 60,
      databaseDirectUrl: undefined,
      preparedStatements: true,
      messageRetentionDays: 30,
      eventRetentionHours: 72,
      eventStreamsPerPrincipal: 16,
      workflowMaxSteps: 500,
      metricRetentionDays: 90,
      confidenceLearningRate: 0.2,
    });
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('reads typed values', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://u:p@db:5432/agenthub',
      JWT_TTL: '1h',
      AGENTHUB_ALLOW_REGISTRATION: 'false',
      AGENTHUB_ADMIN_EMAIL: 'Admin@Example.com',
      AGENTHUB_ADMIN_PASSWORD: 'correct horse',
    });
    expect(config.port).toBe(8080);
    expect(config.jwtTtlSeconds).toBe(3600);
    expect(config.allowRegistration).toBe(false);
    expect(config.adminEmail).toBe('admin@example.com');
    expect(config.migrateOnStart).toBe(false);
    expect(loadConfig({ CONFIDENCE_LEARNING_RATE: '0.35' }).confidenceLearningRate).toBe(0.35);
    expect(loadConfig({ EVENT_STREAMS_PER_PRINCIPAL: '100' }).eventStreamsPerPrincipal).toBe(100);
  });

  it('reads the database timeouts as durations, 0 turning the statement timeout off', () => {
    const config = loadConfig({ DB_ACQUIRE_TIMEOUT: '1500ms', DB_STATEMENT_TIMEOUT: '2m' });
    expect(config.dbAcquireTimeoutMs).toBe(1500);
    expect(config.dbStatementTimeoutMs).toBe(120_000);
    expect(loadConfig({ DB_STATEMENT_TIMEOUT: '0' }).dbStatementTimeoutMs).toBe(0);
  });

  it('prepares the hot statements unless a direct URL says a transaction pooler is in between', () => {
    const direct = 'postgres://u:p@db-direct:5432/agenthub';
    expect(loadConfig({ DATABASE_DIRECT_URL: direct }).preparedStatements).toBe(false);
    expect(
      loadConfig({ DATABASE_DIRECT_URL: direct, DATABASE_PREPARED_STATEMENTS: 'true' })
        .preparedStatements,
    ).toBe(true);
    expect(loadConfig({ DATABASE_PREPARED_STATEMENTS: 'false' }).preparedStatements).toBe(false);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ DATABASE_PREPARED_STATEMENTS: 'sometimes' }, 'DATABASE_PREPARED_STATEMENTS'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DB_POOL_MAX: '0' }, 'DB_POOL_MAX'],
    [{ DB_ACQUIRE_TIMEOUT: 'soon' }, 'DB_ACQUIRE_TIMEOUT'],
    [{ DB_STATEMENT_TIMEOUT: '-1s' }, 'DB_STATEMENT_TIMEOUT'],
    [{ DB_ACQUIRE_TIMEOUT: '0' }, 'DB_ACQUIRE_TIMEOUT'],
    [{ DB_STATEMENT_TIMEOUT: '30d' }, 'DB_STATEMENT_TIMEOUT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_DIRECT_URL: 'localhost:5432' }, 'DATABASE_DIRECT_URL'],
    [{ MESSAGE_RETENTION_DAYS: '0' }, 'MESSAGE_RETENTION_DAYS'],
    [{ EVENT_RETENTION_HOURS: '1.5' }, 'EVENT_RETENTION_HOURS'],
    [{ EVENT_STREAMS_PER_PRINCIPAL: '0' }, 'EVENT_STREAMS_PER_PRINCIPAL'],
    [{ EVENT_STREAMS_PER_PRINCIPAL: '10001' }, 'EVENT_STREAMS_PER_PRINCIPAL'],
    [{ WORKFLOW_MAX_STEPS: '10001' }, 'WORKFLOW_MAX_STEPS'],
    [{ METRIC_RETENTION_DAYS: '0' }, 'METRIC_RETENTION_DAYS'],
    [{ CONFIDENCE_LEARNING_RATE: '0' }, 'CONFIDENCE_LEARNING_RATE'],
    [{ CONFIDENCE_LEARNING_RATE: '1.5' }, 'CONFIDENCE_LEARNING_RATE'],
    [{ CONFIDENCE_LEARNING_RATE: 'fast' }, 'CONFIDENCE_LEARNING_RATE'],
    [{ JWT_TTL: 'soon' }, 'JWT_TTL'],
    [{ AGENTHUB_ALLOW_REGISTRATION: 'maybe' }, 'AGENTHUB_ALLOW_REGISTRATION'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ AGENTHUB_ADMIN_EMAIL: 'a@b.co' }, 'AGENTHUB_ADMIN_PASSWORD'],
  ])('rejects %j with one line naming %s', (env, variable) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { message } = error as ConfigError;
    expect((error as ConfigError).variable).toBe(variable);
    expect(message.startsWith(variable)).toBe(true);
    expect(message).not.toContain('\n');
  });

  it('never echoes a secret in its message', () => {
    expect(() => loadConfig({ JWT_SECRET: 'short-secret' })).toThrow(
      /^JWT_SECRET must be at least 32 characters$/,
    );
  });
});

describe('parseDurationSeconds', () => {
  it.each([
    ['900', 900],
    ['30s', 30],
    ['15m', 900],
    ['2h', 7200],
    ['1d', 86400],
  ])('%s is %d seconds', (text, seconds) => expect(parseDurationSeconds(text)).toBe(seconds));
});
