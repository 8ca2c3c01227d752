import { clockTime, duration, flag, integer, list, oneOf, optionalInteger, optionalText, optionalUrl, port, redisUrl, secret, text, timeZone, url } from './kinds';

/**
 * Every setting of the gateway, each written once: variable, default, validation, comment.
 * The Config type, the start-up checks and their messages come from this table; README's
 * configuration table and .env.example are checked against it by the tests.
 */
export const SETTINGS = {
  port: port('PORT', 9000, "ingest's HTTP port (Sentry and Alertmanager post here)"),
  redisUrl: redisUrl('REDIS_URL', 'redis://127.0.0.1:6379', 'Redis for queues and shared state'),
  queuePrefix: text('QUEUE_PREFIX', '{ng}', 'prefix of every Redis key; the braces make it a Cluster hash tag'),
  logLevel: oneOf('LOG_LEVEL', 'info', ['error', 'warn', 'info', 'debug'], 'log level'),
  displayTz: timeZone('DISPLAY_TZ', 'Asia/Shanghai', 'time zone of cards and digest hours'),
  weixin: {
    apiBase: url('WEIXIN_API_BASE', 'https://qyapi.weixin.qq.com', 'WeCom API base (change it only for a proxy or a test double)'),
    corpId: optionalText('WEIXIN_CORP_ID', '企业ID (app messages need ID, secret and agent id together)', 'ww0123456789abcdef'),
    corpSecret: secret('WEIXIN_CORP_SECRET', "the app's Secret", 'the Secret from the app page'),
    agentId: optionalInteger('WEIXIN_AGENT_ID', "the app's AgentId", '1000002'),
    toUser: text('WEIXIN_TO_USER', '@all', 'recipients: user ids joined by |, or @all', { example: 'zhangsan|lisi' }),
    toParty: optionalText('WEIXIN_TO_PARTY', 'department ids joined by |', '1|2'),
    toTag: optionalText('WEIXIN_TO_TAG', 'tag ids joined by |', '1|2'),
    robotKeys: list('WEIXIN_ROBOT_KEY', 'group robot key(s), comma separated', '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa', { secret: true }),
    timeoutMs: integer('WEIXIN_TIMEOUT_MS', 5000, 'timeout of each WeCom call (ms)', { min: 100 }),
    callbackToken: secret('WEIXIN_CALLBACK_TOKEN', "the app's callback Token (接收消息 → API接收): cards get buttons", 'the Token from the app page'),
    callbackAesKey: secret('WEIXIN_CALLBACK_AES_KEY', "the app's callback EncodingAESKey (43 letters and digits)", 'the EncodingAESKey from the app page'),
  },
  sentry: {
    clientSecret: secret('SENTRY_CLIENT_SECRET', 'verify Sentry-Hook-Signature; the legacy plugin then needs ?token=', 'the Client Secret of the integration'),
    baseUrl: optionalUrl('SENTRY_BASE_URL', 'base of issue links for payloads without one', 'https://sentry.example.com/organizations/acme'),
    dsn: optionalText('SENTRY_DSN', "the gateway's own errors and failed deliveries go to Sentry", 'https://key@sentry.example.com/1'),
    authToken: secret('SENTRY_AUTH_TOKEN', 'lets 已处理 on a card resolve the issue in Sentry (scope event:write)', 'a Sentry auth token'),
    org: optionalText('SENTRY_ORG', 'the Sentry organization slug those issues belong to', 'acme'),
    apiUrl: url('SENTRY_API_URL', 'https://sentry.io', "Sentry's address for its API (self-hosted: your Sentry)"),
  },
  webhookToken: secret('WEBHOOK_TOKEN', 'Alertmanager Bearer token (or basic password); legacy Sentry ?token=', 'a long random string'),
  admin: {
    user: optionalText('ADMIN_USER', 'basic-auth user for Bull Board and the admin APIs', 'ops'),
    password: secret('ADMIN_PASSWORD', 'its password; without both, admin endpoints answer 503', 'a long random string'),
    allowOpen: flag('ADMIN_ALLOW_OPEN', false, 'serve admin endpoints without credentials (trusted networks only)'),
  },
  bodyLimit: text('BODY_LIMIT', '1mb', 'largest webhook body (413 above)', { pattern: /^\d+(b|kb|mb)$/i, expected: 'a size in b, kb or mb', example: '1mb' }),
  metricsPort: port('METRICS_PORT', 9100, "split mode: each worker's /metrics and /health (all-in-one serves both on PORT)"),
  workerConcurrency: integer('WORKER_CONCURRENCY', 20, 'jobs per worker process at once', { min: 1, max: 1000 }),
  shutdownGraceMs: integer('SHUTDOWN_GRACE_MS', 20000, 'on SIGTERM, time for jobs in flight to finish (ms)'),
  jobLockMs: integer('JOB_LOCK_MS', 30000, "a worker's hold on a job (ms); a crashed worker's jobs return to the queue after it", { min: 1000 }),
  lateNoticeAfterMs: duration('LATE_NOTICE_AFTER', '1m', 'a critical delivered later than this says how late (⏱️ 延迟送达)'),
  deliveryAttempts: integer('DELIVERY_ATTEMPTS', 12, 'attempts for transient failures before the failed set', { min: 1 }),
  backoffBaseMs: integer('BACKOFF_BASE_MS', 2000, 'first retry delay (ms); doubles each attempt, ±50 % jitter', { min: 1 }),
  freqLimitDelayMs: integer('FREQ_LIMIT_DELAY_MS', 60000, 'wait after WeCom 45009 (ms), without spending an attempt'),
  policyFile: optionalText('POLICY_FILE', 'routing policy file (YAML or JSON)', 'docs/policy.example.yaml'),
  dedupWindowMs: duration('DEDUP_WINDOW', '10m', 'repeats within it are counted, not re-sent'),
  dedupMaxProblems: integer('DEDUP_MAX_PROBLEMS', 200000, 'the most problems whose counts dedup remembers (7 days each), the least recently seen going first', { min: 1 }),
  dailyDigestAt: clockTime('DAILY_DIGEST_AT', '09:00', 'local time of the daily digest'),
  appRateLimitPerMin: integer('APP_RATE_LIMIT_PER_MIN', 30, 'app messages per minute per recipient (WeCom drops more than 30)', { min: 1 }),
  robotRateLimitPerMin: integer('ROBOT_RATE_LIMIT_PER_MIN', 20, 'robot messages per minute per key (WeCom allows 20)', { min: 1, max: 20 }),
  stormThreshold: integer('STORM_THRESHOLD', 10, 'immediate messages a minute to one destination before a storm is summarized', { min: 1 }),
  stormIntervalMs: duration('STORM_INTERVAL', '1m', 'during a storm, one summary card per destination this often'),
  publicUrl: optionalUrl('PUBLIC_URL', 'the gateway as people reach it: cards link to their console page', 'https://alerts.example.com'),
  linkSecret: secret('LINK_SECRET', 'key of the signed read-only links in cards (unset: a random key kept in Redis)', 'a long random string'),
  linkTtlMs: duration('LINK_TTL', '7d', 'how long a link in a card opens its page'),
  historyRetentionMs: duration('HISTORY_RETENTION', '7d', 'how long the alert history keeps an alert'),
  historyMaxAlerts: integer('HISTORY_MAX_ALERTS', 200000, 'the most alerts the history keeps, the oldest going first; 0 keeps no history'),
};

/** Variables that only make sense together: each list all set, or none. */
export const TOGETHER: ReadonlyArray<{ names: readonly string[]; why: string }> = [
  { names: ['WEIXIN_CORP_ID', 'WEIXIN_CORP_SECRET', 'WEIXIN_AGENT_ID'], why: 'WeCom app messages need all three' },
  { names: ['ADMIN_USER', 'ADMIN_PASSWORD'], why: 'admin basic auth needs both' },
  { names: ['WEIXIN_CALLBACK_TOKEN', 'WEIXIN_CALLBACK_AES_KEY'], why: "the app's callback needs its Token and EncodingAESKey" },
  { names: ['SENTRY_AUTH_TOKEN', 'SENTRY_ORG'], why: 'resolving issues in Sentry needs a token and the organization' },
];

/** A variable that is pointless, or dangerous to half-configure, without others. */
export const NEEDS: ReadonlyArray<{ name: string; needs: readonly string[]; why: string }> = [
  { name: 'WEIXIN_CALLBACK_TOKEN', needs: ['WEIXIN_CORP_ID', 'WEIXIN_CORP_SECRET', 'WEIXIN_AGENT_ID'], why: "the callback belongs to the WeCom app: set the app's settings too" },
];
