import winston from 'winston';
import Transport from 'winston-transport';

export type Logger = winston.Logger;

/** Field names whose values are never logged, whatever they hold. */
const SECRET_FIELDS = /^(access_?token|corp_?secret|secret|password|authorization|token|robot_?key|webhook_?key|client_?secret|signature)$/i;

/**
 * Secrets that travel inside URLs and messages (query strings, auth headers). The value
 * classes stop at a backslash too: they run over JSON text, where `\"` must stay whole.
 */
const SECRET_PATTERNS: RegExp[] = [
  /((?:access_token|corpsecret|key|token|secret)=)[^&\s"'\\]+/gi,
  /(Bearer\s+)[^\s"'\\]+/gi,
  /(Basic\s+)[A-Za-z0-9+/=]+/g,
];

const REDACTED = '[redacted]';
/** Where winston looks for the finished line. */
const MESSAGE = Symbol.for('message');
/** Text that follows its JSON line instead of sitting in it (symbol keys stay out of JSON.stringify). */
const TEXT = Symbol('text');

/**
 * Meta for a log call whose text people must read as it is, with its line breaks (the card of
 * a dry run): the JSON line stays one line for machines, and the text follows it, each line
 * indented — the shape of a stack trace, which `docker logs`, grep and log shippers' multiline
 * rules already keep with its line.
 */
export function followedBy(text: string): Record<symbol, string> {
  return { [TEXT]: text };
}

const indent = (text: string) => text.replace(/^/gm, '    ');

/** Replaces the configured secret values, and anything shaped like a token, in one text. */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, `$1${REDACTED}`);
  return out;
}

/** Secret-named fields blanked, errors as name and message, cycles cut: the JSON of one line. */
function serialize(info: object): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(info, (key, value: unknown) => {
    if (key && SECRET_FIELDS.test(key)) return REDACTED;
    if (value instanceof Error) return { name: value.name, message: value.message };
    if (typeof value === 'bigint') return String(value);
    if (value !== null && typeof value === 'object') {
      if (seen.has(value)) return '[circular]';
      seen.add(value);
    }
    return value;
  });
}

/** How long a line may wait for company before it is written. */
const FLUSH_MS = 10;

/**
 * Lines leave in one write every few milliseconds: a worker logs a line per alert, each
 * finishing in its own event-loop turn, and a write per line costs a system call. Whatever is
 * pending is written before the process exits; a kill -9 loses at most FLUSH_MS of lines.
 */
class BatchedStdout extends Transport {
  private pending: string[] = [];

  constructor() {
    super();
    process.once('exit', () => this.flush());
  }

  override log(info: Record<string | symbol, unknown>, next: () => void): void {
    if (this.pending.push(info[MESSAGE] as string) === 1) setTimeout(() => this.flush(), FLUSH_MS).unref();
    next();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const text = `${this.pending.join('\n')}\n`;
    this.pending = [];
    process.stdout.write(text);
  }
}

/**
 * JSON lines on stdout. Each line is serialized once and redacted once: the configured secret
 * values (raw and as JSON escapes them), secret-named fields at any depth, and anything shaped
 * like a token in a URL or header become [redacted].
 */
export function createLogger(options: {
  level?: string;
  service: string;
  secrets?: readonly string[];
  /** Where lines go instead of stdout; tests capture them this way. */
  stream?: NodeJS.WritableStream;
}): Logger {
  const rawSecrets = (options.secrets ?? []).filter(Boolean);
  const secrets = [...new Set([...rawSecrets, ...rawSecrets.map((s) => JSON.stringify(s).slice(1, -1))])];
  const levels = winston.config.npm.levels;
  const threshold = levels[options.level ?? 'info'];
  const line = winston.format((info) => {
    if (levels[info.level] > threshold) return false;
    info.timestamp = new Date().toISOString();
    const text = info[TEXT] as string | undefined;
    info[MESSAGE] = redactText(text === undefined ? serialize(info) : `${serialize(info)}\n${indent(text)}`, secrets);
    return info;
  });
  return winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: { service: options.service },
    format: line(),
    transports: [options.stream ? new winston.transports.Stream({ stream: options.stream }) : new BatchedStdout()],
  });
}
