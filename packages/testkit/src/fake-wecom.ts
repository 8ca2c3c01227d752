import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { answerWecom, json, type DownMode, type FakeState, type Recorded, type Scripted, type ScriptedApi, type VisibleRange } from './fake-wecom-api';
import { answerControl, statsOf, type Controls, type SettingsChange } from './fake-wecom-control';

export type { Recorded, Scripted, VisibleRange } from './fake-wecom-api';
export { describeMessage } from './fake-wecom-control';

/**
 * A fake WeCom that speaks the real API (reference/wecom.md): gettoken with corp checks and
 * expiring tokens, message/send with token/agent/recipient checks and the 2048-byte limits,
 * agent/get with the app's visible range, the group robot with its key check, byte limits and
 * 20 messages per minute per key, and upload_media. Tests start it in-process; `pnpm
 * fake-wecom` runs it as a tool, steered through its HTTP control API under /__fake/.
 */
export interface FakeWecomOptions {
  corpId?: string;
  corpSecret?: string;
  agentId?: number;
  robotKeys?: string[];
  /** Keys of robots that exist but are disabled (93004 on send). */
  disabledRobotKeys?: string[];
  /** Calls made with a token answer 60020, as from an IP outside the app's 企业可信IP. */
  untrustedIp?: boolean;
  visibleRange?: Partial<VisibleRange>;
  tokenTtlSec?: number;
  robotPerMinute?: number;
  now?: () => number;
  /** false: count messages without keeping their contents (benchmarks). */
  keepMessages?: boolean;
  /** Called with every message WeCom would deliver. */
  onMessage?: (message: Recorded) => void;
  /** 0 (the default): any free port. */
  port?: number;
  host?: string;
}

export async function startFakeWecom(options: FakeWecomOptions = {}) {
  const state: FakeState = {
    corpId: options.corpId ?? 'ww-test-corp',
    corpSecret: options.corpSecret ?? 'test-corp-secret-value',
    agentId: options.agentId ?? 1000002,
    robotKeys: new Set(options.robotKeys ?? ['robot-key-one-secret']),
    disabledRobotKeys: new Set(options.disabledRobotKeys ?? []),
    untrustedIp: options.untrustedIp ?? false,
    visibleRange: { users: [], parties: [1], tags: [], ...options.visibleRange },
    tokenTtlSec: options.tokenTtlSec ?? 7200,
    robotPerMinute: options.robotPerMinute ?? 20,
    keepMessages: options.keepMessages !== false,
    now: options.now ?? (() => Date.now()),
    down: null,
    tokens: new Map(),
    tokenSeq: 0,
    robotSends: new Map(),
    scripts: { gettoken: [], app: [], robot: [] },
    messages: [],
    accepted: 0,
    gettokenCalls: 0,
    sendCalls: 0,
    robotCalls: 0,
    onMessage: options.onMessage,
  };
  /** Every request's method and path without its query (the query carries secrets). */
  const requests: string[] = [];
  const sockets = new Set<Socket>();

  const controls: Controls = {
    stats: () => statsOf(state),
    script: (api, answers) => state.scripts[api].push(...(answers as Scripted[])),
    down(mode, keep) {
      state.down = mode;
      // The control connection that asked stays, so it can also say "up".
      if (mode === 'refused') for (const s of sockets) if (s !== keep) s.destroy();
    },
    expireTokens() {
      for (const token of state.tokens.keys()) state.tokens.set(token, 0);
    },
    settings(change: SettingsChange) {
      if (change.untrustedIp !== undefined) state.untrustedIp = change.untrustedIp;
      if (change.disabledRobotKeys) state.disabledRobotKeys = new Set(change.disabledRobotKeys);
      if (change.tokenTtlSec !== undefined) state.tokenTtlSec = change.tokenTtlSec;
      if (change.visibleRange) state.visibleRange = { ...state.visibleRange, ...change.visibleRange };
    },
  };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(`${req.method} ${url.pathname}`);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    if (answerControl(controls, state, url, raw, req, res)) return;
    if (state.down === 'refused') return void req.socket.destroy();
    if (!(await answerWecom(state, url, raw, req, res))) json(res, { errcode: 404, errmsg: 'not found' }, 404);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    requests,
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
    corpId: state.corpId,
    corpSecret: state.corpSecret,
    agentId: state.agentId,
    /** Counters, and each kept message's arrival time and content (GET /__fake/stats answers the same). */
    stats: controls.stats,
    script(api: ScriptedApi, answers: Scripted[]) {
      controls.script(api, answers);
    },
    /** WeCom dropped every token early (it may, for operational reasons). */
    expireTokens: controls.expireTokens,
    setTokenTtl(sec: number) {
      controls.settings({ tokenTtlSec: sec });
    },
    settings: controls.settings,
    down(mode: DownMode | null) {
      controls.down(mode);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeWecom = Awaited<ReturnType<typeof startFakeWecom>>;
