import { hostPort, type RedisTarget } from '../redis';
import { EXIT } from './exit-codes';

/**
 * Every way the start-up check knows Redis to be unusable, each with the one line an operator
 * reads: what happened, at which address, and what to change. Redis's own error code (the
 * first word of its reply: WRONGPASS, NOAUTH, READONLY, OOM, NOPERM) or Node's (ECONNREFUSED,
 * DEPTH_ZERO_SELF_SIGNED_CERT …) picks the entry; plain ERR replies are told apart by their text,
 * since Redis gives them no finer code.
 */
export type RedisProblemCode =
  | 'unreachable'
  | 'unknown_host'
  | 'no_answer'
  | 'wrong_password'
  | 'password_missing'
  | 'no_such_database'
  | 'tls_not_served'
  | 'tls_required'
  | 'tls_untrusted'
  | 'tls_wrong_name'
  | 'not_redis'
  | 'not_a_sentinel'
  | 'unknown_master'
  | 'not_a_cluster'
  | 'is_a_sentinel'
  | 'is_a_cluster'
  | 'read_only'
  | 'out_of_memory'
  | 'no_permission'
  | 'other';

export interface RedisProblem {
  code: RedisProblemCode;
  /** Unreachable-like problems may pass on their own: the check waits a little for those. */
  transient: boolean;
  exitCode: number;
  cause: string;
  fix: string;
  /** The one line printed: "cause: fix". */
  line: string;
}

function problem(code: RedisProblemCode, cause: string, fix: string, transient = false): RedisProblem {
  return { code, transient, exitCode: transient ? EXIT.redisUnreachable : EXIT.badSetting, cause, fix, line: `${cause}: ${fix}` };
}

/** What the check learnt about the failure, beside the error itself. */
export interface ProblemContext {
  target: RedisTarget;
  /** The node the error came from, when the target has several. */
  node?: string;
  masterNames?: string[];
  waitedMs?: number;
}

const UNTRUSTED = new Set(['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED']);
const NO_ROUTE = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

/** The address to name in a line: the failing node, else the target's first one. */
function where(ctx: ProblemContext): string {
  if (ctx.node) return ctx.node;
  return ctx.target.kind === 'single' ? hostPort(ctx.target.node) : hostPort(ctx.target.nodes[0]);
}

/** REDIS_URL as it should be written for this target, with PASSWORD in place of the secret. */
function exampleUrl(ctx: ProblemContext, change: { password?: boolean; scheme?: string; db?: number } = {}): string {
  const t = ctx.target;
  const auth = change.password ? ':PASSWORD@' : '';
  if (t.kind === 'single') {
    const db = change.db ?? (t.db || undefined);
    return `${change.scheme ?? (t.tls ? 'rediss' : 'redis')}://${auth}${hostPort(t.node)}${db === undefined ? '' : `/${db}`}`;
  }
  const nodes = t.nodes.map(hostPort).join(',');
  return t.kind === 'sentinel' ? `redis-sentinel://${auth}${nodes}/${t.masterName}` : `redis-cluster://${auth}${nodes}`;
}

const waited = (ctx: ProblemContext) => (ctx.waitedMs && ctx.waitedMs >= 1000 ? `, waited ${Math.round(ctx.waitedMs / 1000)} s` : '');

/** Names the problem behind an error from ioredis, Node or Redis. */
export function redisProblem(err: Error & { code?: string }, ctx: ProblemContext): RedisProblem {
  const at = where(ctx);
  const reply = /^([A-Z]+)\b/.exec(err.message)?.[1];
  const tls = ctx.target.kind === 'single' && ctx.target.tls;

  if (reply === 'WRONGPASS') return problem('wrong_password', `Redis at ${at} refused the password in REDIS_URL (WRONGPASS)`, `put the right one in REDIS_URL, e.g. REDIS_URL=${exampleUrl(ctx, { password: true })} (USER:PASSWORD@ for an ACL user)`);
  if (reply === 'NOAUTH') return problem('password_missing', `Redis at ${at} wants a password and REDIS_URL gives none (NOAUTH)`, `add it, e.g. REDIS_URL=${exampleUrl(ctx, { password: true })}`);
  if (reply === 'READONLY') return problem('read_only', `Redis at ${at} is a read-only replica (READONLY)`, `point REDIS_URL at the master, or use redis-sentinel:// to follow failovers`);
  if (reply === 'OOM') return problem('out_of_memory', `Redis at ${at} is full (OOM, maxmemory reached and nothing may be evicted)`, `raise its maxmemory or free memory (the gateway must write to start)`);
  if (reply === 'NOPERM') return problem('no_permission', `Redis at ${at} lets the REDIS_URL user in but not write (NOPERM)`, `grant that ACL user every command on the gateway's keys, e.g. ACL SETUSER <user> +@all ~*`);
  if (/DB index is out of range/i.test(err.message) && ctx.target.kind === 'single') {
    return problem('no_such_database', `Redis at ${at} has no database ${ctx.target.db} (ERR DB index is out of range)`, `use a number below its 'databases' setting (0–15 by default), e.g. REDIS_URL=${exampleUrl(ctx, { db: 0 })}`);
  }
  if (/unknown command .?sentinel/i.test(err.message)) return problem('not_a_sentinel', `${at} is a Redis server, not a Sentinel (ERR unknown command 'sentinel')`, `write REDIS_URL=redis://${at}, or list the Sentinels (port 26379 by default) in redis-sentinel://…`);
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') {
    return problem('unknown_host', `Redis host "${at.replace(/:\d+$/, '')}" does not resolve (${err.code}${waited(ctx)})`, `check the host name in REDIS_URL`, true);
  }
  if (NO_ROUTE.has(err.code ?? '')) {
    return problem('unreachable', `Redis at ${at} is not reachable (${err.code}${waited(ctx)})`, `start Redis (e.g. redis-server --daemonize yes) or set REDIS_URL to a reachable server`, true);
  }
  if (err.code && UNTRUSTED.has(err.code)) return problem('tls_untrusted', `Redis at ${at} shows a TLS certificate Node does not trust (${err.code})`, `give Node its CA, e.g. NODE_EXTRA_CA_CERTS=/path/to/ca.pem`);
  if (err.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return problem('tls_wrong_name', `Redis at ${at} shows a TLS certificate made for another name (${err.code})`, `write REDIS_URL with the host name the certificate names`);
  if ((err.code === 'ECONNRESET' || err.code === 'EPIPE') && !tls) {
    return problem('tls_required', `Redis at ${at} closed the connection before answering (${err.code}), as a TLS-only port does`, `write REDIS_URL=${exampleUrl(ctx, { scheme: 'rediss' })}`);
  }
  if (err.code === 'ETIMEDOUT' && tls) {
    return problem('tls_not_served', `Redis at ${at} did not complete a TLS handshake (${err.code}${waited(ctx)})`, `if it does not serve TLS write REDIS_URL=${exampleUrl(ctx, { scheme: 'redis' })}, else check host, port and firewall`, true);
  }
  if (err.code === 'ETIMEDOUT' || err.code === 'ECONNRESET' || err.message === 'timeout') {
    return problem('no_answer', `Redis at ${at} did not answer (${err.code ?? 'timeout'}${waited(ctx)})`, `check host, port and firewall in front of it`, true);
  }
  if (err.name === 'ParserError') return problem('not_redis', `Something answers at ${at}, but not as Redis does (protocol error)`, `check the host and port in REDIS_URL`);
  return { ...problem('other', `Redis at ${at} failed the start-up check`, err.message), exitCode: EXIT.failed };
}

/** Problems found by looking, not by an error. */
export function misdirected(code: 'is_a_sentinel' | 'is_a_cluster' | 'not_a_cluster' | 'unknown_master', ctx: ProblemContext): RedisProblem {
  const at = where(ctx);
  const name = ctx.target.kind === 'sentinel' ? ctx.target.masterName : '';
  const known = ctx.masterNames?.length ? ` (it knows ${ctx.masterNames.join(', ')})` : '';
  const found: Record<typeof code, [string, string]> = {
    is_a_sentinel: [`${at} is a Sentinel, not the Redis that keeps the data`, `write REDIS_URL=redis-sentinel://${at}/<master name>`],
    is_a_cluster: [`${at} is a Redis Cluster node`, `write REDIS_URL=redis-cluster://${at} (more nodes after commas), so every key reaches its slot`],
    not_a_cluster: [`${at} is not a Cluster node (cluster_enabled:0)`, `write REDIS_URL=redis://${at}`],
    unknown_master: [`Sentinel ${at} watches no master named "${name}"${known}`, `write the name after the last / of REDIS_URL, e.g. REDIS_URL=redis-sentinel://${at}/${ctx.masterNames?.[0] ?? 'mymaster'}`],
  };
  return problem(code, ...found[code]);
}
