import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A fake WeCom that speaks the real API (reference/wecom.md): gettoken with corp checks and
 * expiring tokens, message/send with token/agent/recipient checks and the 2048-byte limits,
 * the group robot with its key check, byte limits and 20 messages per minute per key.
 */
export interface Recorded {
  api: 'app' | 'robot';
  key?: string;
  msgtype: string;
  content: string;
  body: Record<string, unknown>;
  at: number;
}

/** A scripted answer for the next call: an errcode, an HTTP status, a delay, or a reset socket. */
export type Scripted = { errcode: number; errmsg?: string } | { httpStatus: number } | { delayMs: number } | 'reset';

export interface FakeWecomOptions {
  corpId?: string;
  corpSecret?: string;
  agentId?: number;
  robotKeys?: string[];
  tokenTtlSec?: number;
  robotPerMinute?: number;
  now?: () => number;
  /** false: count messages without keeping their contents (benchmarks). */
  keepMessages?: boolean;
}

const hint = (code: number) => `, hint: [${Date.now()}${Math.floor(Math.random() * 1e6)}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${code}`;

export async function startFakeWecom(options: FakeWecomOptions = {}) {
  const corpId = options.corpId ?? 'ww-test-corp';
  const corpSecret = options.corpSecret ?? 'test-corp-secret-value';
  const agentId = options.agentId ?? 1000002;
  const robotKeys = new Set(options.robotKeys ?? ['robot-key-one-secret']);
  const now = options.now ?? (() => Date.now());
  const robotPerMinute = options.robotPerMinute ?? 20;
  let tokenTtlSec = options.tokenTtlSec ?? 7200;

  const tokens = new Map<string, number>(); // token → expires at
  const robotSends = new Map<string, { times: number[]; start: number }>();
  const scripts: Record<'gettoken' | 'app' | 'robot', Scripted[]> = { gettoken: [], app: [], robot: [] };
  let downMode: 'refused' | '5xx' | '45009' | null = null;
  let tokenSeq = 0;
  const sockets = new Set<Socket>();

  const state = {
    messages: [] as Recorded[],
    gettokenCalls: 0,
    sendCalls: 0,
    robotCalls: 0,
    /** Every request's method and path without its query (the query carries secrets). */
    requests: [] as string[],
  };

  let accepted = 0;
  const record = (message: Recorded) => {
    accepted++;
    if (options.keepMessages !== false) state.messages.push(message);
  };
  const json = (res: http.ServerResponse, body: unknown, status = 200) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const err = (res: http.ServerResponse, errcode: number, errmsg: string) => json(res, { errcode, errmsg: `${errmsg}${hint(errcode)}` });

  /** Applies a scripted answer; true when it answered. */
  async function scripted(api: keyof typeof scripts, req: http.IncomingMessage, res: http.ServerResponse): Promise<boolean> {
    if (downMode === '5xx') return json(res, { error: 'bad gateway' }, 502), true;
    if (downMode === '45009') return err(res, 45009, 'api freq out of limit'), true;
    const next = scripts[api].shift();
    if (!next) return false;
    if (next === 'reset') return req.socket.destroy(), true;
    if ('delayMs' in next) {
      await new Promise((r) => setTimeout(r, next.delayMs));
      return false;
    }
    if ('httpStatus' in next) return json(res, { error: 'scripted' }, next.httpStatus), true;
    return err(res, next.errcode, next.errmsg ?? 'scripted error'), true;
  }

  function tokenProblem(token: string | null): [number, string] | undefined {
    if (!token) return [41001, 'access_token missing'];
    const expires = tokens.get(token);
    if (expires === undefined) return [40014, 'invalid access_token'];
    if (expires <= now()) return [42001, 'access_token expired'];
    return undefined;
  }

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    state.requests.push(`${req.method} ${url.pathname}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown> = {};
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        return err(res, 40008, 'invalid message type. Warning: wrong json format.');
      }
    }

    if (url.pathname === '/cgi-bin/gettoken') {
      state.gettokenCalls++;
      if (await scripted('gettoken', req, res)) return;
      if (url.searchParams.get('corpid') !== corpId) return err(res, 40013, 'invalid corpid');
      if (url.searchParams.get('corpsecret') !== corpSecret) return err(res, 40001, 'invalid credential');
      const token = `fake-access-token-${++tokenSeq}-${Math.random().toString(36).slice(2)}`;
      tokens.set(token, now() + tokenTtlSec * 1000);
      return json(res, { errcode: 0, errmsg: 'ok', access_token: token, expires_in: tokenTtlSec });
    }

    if (url.pathname === '/cgi-bin/message/send') {
      state.sendCalls++;
      if (await scripted('app', req, res)) return;
      const problem = tokenProblem(url.searchParams.get('access_token'));
      if (problem) return err(res, ...problem);
      if (Number(body.agentid) !== agentId) return err(res, 40056, 'invalid agentid');
      if (!body.touser && !body.toparty && !body.totag) return err(res, 82001, 'All touser & toparty & totag invalid');
      const msgtype = String(body.msgtype ?? '');
      const content = String((body[msgtype] as { content?: string } | undefined)?.content ?? '');
      if (msgtype !== 'text' && msgtype !== 'markdown') return err(res, 40008, 'invalid message type');
      if (!content) return err(res, 44004, 'empty content');
      if (msgtype === 'markdown' && Buffer.byteLength(content) > 2048) return err(res, 45002, 'content size out of limit');
      // Text over 2048 bytes is cut silently by WeCom, never rejected.
      const delivered = msgtype === 'text' ? Buffer.from(content).subarray(0, 2048).toString('utf8') : content;
      record({ api: 'app', msgtype, content: delivered, body, at: now() });
      const users = String(body.touser ?? '').split('|');
      const invalid = users.filter((u) => u.startsWith('ghost'));
      return json(res, { errcode: 0, errmsg: 'ok', invaliduser: invalid.join('|'), msgid: `msg-${state.messages.length}` });
    }

    if (url.pathname === '/cgi-bin/webhook/send') {
      state.robotCalls++;
      if (await scripted('robot', req, res)) return;
      const key = url.searchParams.get('key') ?? '';
      if (!robotKeys.has(key)) return err(res, 93000, 'invalid webhook url');
      // Sliding minute per key, kept as a queue so a long run stays O(1) per message.
      const window = robotSends.get(key) ?? { times: [] as number[], start: 0 };
      robotSends.set(key, window);
      while (window.start < window.times.length && window.times[window.start] <= now() - 60_000) window.start++;
      if (window.start > 1024) {
        window.times = window.times.slice(window.start);
        window.start = 0;
      }
      if (window.times.length - window.start >= robotPerMinute) return err(res, 45009, 'api freq out of limit');
      const msgtype = String(body.msgtype ?? '');
      const content = String((body[msgtype] as { content?: string } | undefined)?.content ?? '');
      if (msgtype !== 'text' && msgtype !== 'markdown') return err(res, 40008, 'invalid message type');
      const limit = msgtype === 'text' ? 2048 : 4096;
      if (Buffer.byteLength(content) > limit) return err(res, 40058, `${msgtype}.content exceed max length ${limit}. invalid Request Parameter`);
      window.times.push(now());
      record({ api: 'robot', key, msgtype, content, body, at: now() });
      return json(res, { errcode: 0, errmsg: 'ok' });
    }
    json(res, { errcode: 404, errmsg: 'not found' }, 404);
  });
  server.on('connection', (socket) => {
    if (downMode === 'refused') {
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    ...state,
    get messages() {
      return state.messages;
    },
    get gettokenCalls() {
      return state.gettokenCalls;
    },
    get sendCalls() {
      return state.sendCalls;
    },
    get robotCalls() {
      return state.robotCalls;
    },
    url: `http://127.0.0.1:${port}`,
    /** Counters, and each kept message's arrival time and content (for processes that ask over IPC). */
    stats() {
      return {
        accepted,
        gettokenCalls: state.gettokenCalls,
        sendCalls: state.sendCalls,
        robotCalls: state.robotCalls,
        messages: state.messages.map((m) => ({ at: m.at, content: m.content, api: m.api })),
      };
    },
    corpId,
    corpSecret,
    agentId,
    script(api: keyof typeof scripts, answers: Scripted[]) {
      scripts[api].push(...answers);
    },
    /** WeCom dropped every token early (it may, for operational reasons). */
    expireTokens() {
      for (const token of tokens.keys()) tokens.set(token, 0);
    },
    setTokenTtl(sec: number) {
      tokenTtlSec = sec;
    },
    down(mode: 'refused' | '5xx' | '45009' | null) {
      downMode = mode;
      if (mode === 'refused') for (const s of sockets) s.destroy();
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeWecom = Awaited<ReturnType<typeof startFakeWecom>>;
