import winston from 'winston';

export type Logger = winston.Logger;

/** Field names whose values are never logged, whatever they hold. */
const SECRET_FIELDS = /^(access_?token|corp_?secret|secret|password|authorization|token|robot_?key|webhook_?key|client_?secret|signature)$/i;

/** Secrets that travel inside URLs and messages (query strings, auth headers). */
const SECRET_PATTERNS: RegExp[] = [
  /((?:access_token|corpsecret|key|token|secret)=)[^&\s"']+/gi,
  /(Bearer\s+)[^\s"']+/gi,
  /(Basic\s+)[A-Za-z0-9+/=]+/g,
];

const REDACTED = '[redacted]';

export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, `$1${REDACTED}`);
  return out;
}

function redactValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, secrets);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return { name: value.name, message: redactText(value.message, secrets) };
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SECRET_FIELDS.test(k) ? REDACTED : redactValue(v, secrets, depth + 1);
  }
  return out;
}

/**
 * JSON lines on stdout. Every field and the message pass through redaction: the configured
 * secret values and anything shaped like a token in a URL or header become [redacted].
 */
export function createLogger(options: {
  level?: string;
  service: string;
  secrets?: readonly string[];
  /** Extra transport, used by tests to capture lines. */
  stream?: NodeJS.WritableStream;
}): Logger {
  const secrets = options.secrets ?? [];
  const levels = winston.config.npm.levels;
  const threshold = levels[options.level ?? 'info'];
  // Drop disabled levels before any formatting: redaction is not free on the hot path.
  const enabled = winston.format((info) => (levels[info.level] <= threshold ? info : false));
  const redact = winston.format((info) => {
    for (const key of Object.keys(info)) {
      if (key === 'level') continue;
      info[key] = SECRET_FIELDS.test(key) ? REDACTED : redactValue(info[key], secrets);
    }
    return info;
  });
  const transports: winston.transport[] = [
    options.stream
      ? new winston.transports.Stream({ stream: options.stream })
      : new winston.transports.Console(),
  ];
  return winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: { service: options.service },
    format: winston.format.combine(enabled(), redact(), winston.format.timestamp(), winston.format.json()),
    transports,
  });
}
