import Joi from 'joi';

/**
 * Every setting of the gateway, parsed once at start-up. Nothing else reads process.env.
 * Each variable has a one-line comment; README's configuration reference mirrors this file.
 */
export interface Config {
  /** ingest's HTTP port. */
  port: number;
  /** Redis for queues and shared state: redis://, rediss://, or a comma list of cluster nodes. */
  redisUrl: string;
  /** BullMQ key prefix; braces make it a Redis Cluster hash tag. */
  queuePrefix: string;
  logLevel: string;
  /** Time zone of every time a person reads (cards, digest hours). */
  displayTz: string;
  weixin: {
    apiBase: string;
    corpId?: string;
    corpSecret?: string;
    agentId?: number;
    toUser: string;
    toParty?: string;
    toTag?: string;
    /** Group robot keys (one or several). */
    robotKeys: string[];
    /** Request timeout for every WeCom call. */
    timeoutMs: number;
  };
  sentry: {
    clientSecret?: string;
    /** Base of issue links when a payload carries none, e.g. https://sentry.example.com/organizations/acme */
    baseUrl?: string;
    /** The gateway's own error reporting (self-monitoring). */
    dsn?: string;
  };
  webhookToken?: string;
  admin: { user?: string; password?: string; allowOpen: boolean };
  /** Largest webhook body accepted. */
  bodyLimit: string;
  /** Worker: /metrics and /health listener. */
  metricsPort: number;
  workerConcurrency: number;
  /** Worker: how long in-flight jobs may take to finish on SIGTERM. */
  shutdownGraceMs: number;
  /** Shortest wait after WeCom says 45009 (api freq out of limit). */
  freqLimitDelayMs: number;
  /** How long a worker's hold on a job lasts; a crashed worker's jobs return to the queue after it. */
  jobLockMs: number;
  /** A critical delivered this long after it arrived says how late it is. */
  lateNoticeAfterMs: number;
  /** Delivery attempts for transient failures before a job lands in the failed set. */
  deliveryAttempts: number;
  backoffBaseMs: number;
  policyFile?: string;
  dedupWindowMs: number;
  /** Local time of the daily digest, HH:MM in displayTz. */
  dailyDigestAt: string;
  /** App messages per minute per recipient set (WeCom drops the excess silently). */
  appRateLimitPerMin: number;
  /** Robot messages per minute per key (WeCom's limit is 20). */
  robotRateLimitPerMin: number;
}

const optionalString = Joi.string().trim().empty('');

const schema = Joi.object({
  PORT: Joi.number().port().default(9000),
  REDIS_URL: Joi.string()
    .trim()
    .pattern(/^(rediss?:\/\/|redis-sentinel:\/\/|redis-cluster:\/\/)/)
    .message('REDIS_URL must start with redis://, rediss://, redis-sentinel:// or redis-cluster://')
    .default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: Joi.string().trim().default('{ng}'),
  LOG_LEVEL: Joi.string().valid('error', 'warn', 'info', 'debug').default('info'),
  DISPLAY_TZ: Joi.string()
    .custom((value: string) => {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return value;
    }, 'IANA time zone')
    .message('DISPLAY_TZ must be an IANA time zone such as Asia/Shanghai')
    .default('Asia/Shanghai'),
  WEIXIN_API_BASE: Joi.string().uri({ scheme: ['http', 'https'] }).default('https://qyapi.weixin.qq.com'),
  WEIXIN_CORP_ID: optionalString,
  WEIXIN_CORP_SECRET: optionalString,
  WEIXIN_AGENT_ID: Joi.number().integer().positive().empty(''),
  WEIXIN_TO_USER: Joi.string().trim().empty('').default('@all'),
  WEIXIN_TO_PARTY: optionalString,
  WEIXIN_TO_TAG: optionalString,
  WEIXIN_ROBOT_KEY: optionalString,
  WEIXIN_TIMEOUT_MS: Joi.number().integer().min(100).default(5000),
  SENTRY_CLIENT_SECRET: optionalString,
  SENTRY_BASE_URL: Joi.string().uri({ scheme: ['http', 'https'] }).empty(''),
  SENTRY_DSN: Joi.string().uri().empty(''),
  WEBHOOK_TOKEN: optionalString,
  ADMIN_USER: optionalString,
  ADMIN_PASSWORD: optionalString,
  ADMIN_ALLOW_OPEN: Joi.boolean().default(false),
  BODY_LIMIT: Joi.string().pattern(/^\d+(b|kb|mb)$/i).default('1mb'),
  METRICS_PORT: Joi.number().port().default(9100),
  WORKER_CONCURRENCY: Joi.number().integer().min(1).max(1000).default(20),
  SHUTDOWN_GRACE_MS: Joi.number().integer().min(0).default(20000),
  FREQ_LIMIT_DELAY_MS: Joi.number().integer().min(0).default(60000),
  JOB_LOCK_MS: Joi.number().integer().min(1000).default(30000),
  LATE_NOTICE_AFTER: Joi.string().pattern(/^\d+(ms|s|m|h)$/).default('1m'),
  DELIVERY_ATTEMPTS: Joi.number().integer().min(1).default(12),
  BACKOFF_BASE_MS: Joi.number().integer().min(1).default(2000),
  POLICY_FILE: optionalString,
  DEDUP_WINDOW: Joi.string().pattern(/^\d+(ms|s|m|h)$/).default('10m'),
  DAILY_DIGEST_AT: Joi.string().pattern(/^([01]\d|2[0-3]):[0-5]\d$/).default('09:00'),
  APP_RATE_LIMIT_PER_MIN: Joi.number().integer().min(1).default(30),
  ROBOT_RATE_LIMIT_PER_MIN: Joi.number().integer().min(1).max(20).default(20),
})
  .and('WEIXIN_CORP_ID', 'WEIXIN_CORP_SECRET', 'WEIXIN_AGENT_ID')
  .and('ADMIN_USER', 'ADMIN_PASSWORD')
  .unknown(true);

/** Every environment variable the gateway reads (the README and .env.example list them all). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.describe().keys ?? {});

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

const DURATION_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(text: string): number {
  const match = /^(\d+)(ms|s|m|h)$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * DURATION_MS[match[2]];
}

/** Parses the environment; throws one ConfigError that lists every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const { value: v, error } = schema.validate(env, { abortEarly: false, convert: true });
  if (error) throw new ConfigError(error.details.map((d) => d.message.replace(/^"(\w+)"/, '$1')));
  const robotKeys = String(v.WEIXIN_ROBOT_KEY ?? '')
    .split(/[,\s]+/)
    .filter(Boolean);
  return deepFreeze({
    port: v.PORT,
    redisUrl: v.REDIS_URL,
    queuePrefix: v.QUEUE_PREFIX,
    logLevel: v.LOG_LEVEL,
    displayTz: v.DISPLAY_TZ,
    weixin: {
      apiBase: v.WEIXIN_API_BASE.replace(/\/+$/, ''),
      corpId: v.WEIXIN_CORP_ID,
      corpSecret: v.WEIXIN_CORP_SECRET,
      agentId: v.WEIXIN_AGENT_ID,
      toUser: v.WEIXIN_TO_USER,
      toParty: v.WEIXIN_TO_PARTY,
      toTag: v.WEIXIN_TO_TAG,
      robotKeys,
      timeoutMs: v.WEIXIN_TIMEOUT_MS,
    },
    sentry: { clientSecret: v.SENTRY_CLIENT_SECRET, baseUrl: v.SENTRY_BASE_URL?.replace(/\/+$/, ''), dsn: v.SENTRY_DSN },
    webhookToken: v.WEBHOOK_TOKEN,
    admin: { user: v.ADMIN_USER, password: v.ADMIN_PASSWORD, allowOpen: v.ADMIN_ALLOW_OPEN },
    bodyLimit: v.BODY_LIMIT,
    metricsPort: v.METRICS_PORT,
    workerConcurrency: v.WORKER_CONCURRENCY,
    shutdownGraceMs: v.SHUTDOWN_GRACE_MS,
    freqLimitDelayMs: v.FREQ_LIMIT_DELAY_MS,
    jobLockMs: v.JOB_LOCK_MS,
    lateNoticeAfterMs: parseDuration(v.LATE_NOTICE_AFTER),
    deliveryAttempts: v.DELIVERY_ATTEMPTS,
    backoffBaseMs: v.BACKOFF_BASE_MS,
    policyFile: v.POLICY_FILE,
    dedupWindowMs: parseDuration(v.DEDUP_WINDOW),
    dailyDigestAt: v.DAILY_DIGEST_AT,
    appRateLimitPerMin: v.APP_RATE_LIMIT_PER_MIN,
    robotRateLimitPerMin: v.ROBOT_RATE_LIMIT_PER_MIN,
  });
}

/** The secret values a logger must never print. */
export function secretsOf(config: Config): string[] {
  return [
    config.weixin.corpSecret,
    ...config.weixin.robotKeys,
    config.sentry.clientSecret,
    config.webhookToken,
    config.admin.password,
  ].filter((s): s is string => typeof s === 'string' && s.length >= 4);
}

function deepFreeze<T extends object>(obj: T): Readonly<T> {
  for (const value of Object.values(obj)) if (value && typeof value === 'object') deepFreeze(value);
  return Object.freeze(obj);
}
