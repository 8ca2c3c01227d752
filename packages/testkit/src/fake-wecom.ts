import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { answerWecom } from './fake-wecom-api';
import { playClick, type Click } from './fake-wecom-callback';
import { cardFor, cardsOf, newCardBook } from './fake-wecom-cards';
import { json, type CallbackTarget, type DownMode, type FakeState, type Member, type Recorded, type Scripted, type ScriptedApi, type VisibleRange } from './fake-wecom-common';
import { answerControl, checkSettings, SettingsRefused, statsOf, type Controls, type SettingsChange } from './fake-wecom-control';
import { DEFAULT_MEMBERS } from './fake-wecom-members';

export type { CallbackTarget, Member, Recorded, Scripted, VisibleRange } from './fake-wecom-common';
export type { Click, ClickResult, CallbackAnswer } from './fake-wecom-callback';
export type { CardView, CardUpdate } from './fake-wecom-cards';
export type { SettingsChange } from './fake-wecom-control';
export { ClickRefused } from './fake-wecom-callback';
export { SettingsRefused } from './fake-wecom-control';
export { describeMessage } from './fake-wecom-control';
export { checkCard, renderCard } from './fake-wecom-card-rules';

/**
 * A fake WeCom that speaks the real API (reference/wecom.md): gettoken with corp checks and
 * expiring tokens, message/send with token/agent/recipient checks and the 2048-byte limits,
 * agent/get with the app's visible range, the group robot with its key check, byte limits and
 * 20 messages per minute per key, and upload_media; and what acting from a card needs
 * (reference/wecom-callbacks.md): template cards with their rules, task ids and response codes,
 * update_template_card with the card as each member sees it, a player of members' clicks that
 * calls the app's callback encrypted as WeCom does, members (user/get) and OAuth inside WeCom.
 * Tests start it in-process; `pnpm fake-wecom` runs it as a tool, steered through its HTTP
 * control API under /__fake/.
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
  /** The company's members (default 张三 zhangsan and 李四 lisi), all in department 1. */
  members?: Member[];
  /** The app's callback: where clicks are played, with its Token and EncodingAESKey. */
  callback?: CallbackTarget;
  /** Whether the app has a callback saved (button cards get 43012 when not); default: whether `callback` is set. */
  callbackConfigured?: boolean;
  /** The member who signs in through OAuth (default the first member). */
  oauthUser?: string;
  /** The app's 可信域名 (host[:port]): getuserinfo answers 50001 for a code whose redirect went elsewhere. */
  trustedDomain?: string;
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
    scripts: { gettoken: [], app: [], robot: [], update: [], user: [] },
    messages: [],
    accepted: 0,
    gettokenCalls: 0,
    sendCalls: 0,
    robotCalls: 0,
    updateCalls: 0,
    userCalls: 0,
    clicks: 0,
    members: DEFAULT_MEMBERS.map((m) => ({ ...m })),
    cards: newCardBook(),
    oauthCodes: new Map(),
    checkedSends: new Map(),
    onMessage: options.onMessage,
  };
  /** Every request's method and path without its query (the query carries secrets). */
  const requests: string[] = [];
  const sockets = new Set<Socket>();

  const controls: Controls = {
    stats: () => statsOf(state),
    script: (api, answers) => state.scripts[api].push(...(answers as Scripted[])),
    cards: () => cardsOf(state),
    click: (click) => playClick(state, click),
    down(mode, keep) {
      state.down = mode;
      // The control connection that asked stays, so it can also say "up".
      if (mode === 'refused') for (const s of sockets) if (s !== keep) s.destroy();
    },
    expireTokens() {
      for (const token of state.tokens.keys()) state.tokens.set(token, 0);
    },
    settings(given: SettingsChange) {
      const change = checkSettings(given);
      const members = change.members ?? state.members;
      const isMember = (userid: string) => members.some((m) => m.userid.toLowerCase() === userid.toLowerCase());
      if (change.oauthUser && !isMember(change.oauthUser)) throw new SettingsRefused(`"oauthUser" ${change.oauthUser} is not a member (members: ${members.map((m) => m.userid).join(', ')})`);
      if (change.members) state.members = change.members;
      if (change.oauthUser) state.oauthUser = change.oauthUser;
      else if (state.oauthUser && !isMember(state.oauthUser)) state.oauthUser = undefined;
      if (change.callback !== undefined) state.callback = change.callback ?? undefined;
      if (change.callbackConfigured !== undefined) state.callbackConfigured = change.callbackConfigured ?? undefined;
      if (change.trustedDomain !== undefined) state.trustedDomain = change.trustedDomain ?? undefined;
      if (change.untrustedIp !== undefined) state.untrustedIp = change.untrustedIp;
      if (change.disabledRobotKeys) state.disabledRobotKeys = new Set(change.disabledRobotKeys);
      if (change.tokenTtlSec !== undefined) state.tokenTtlSec = change.tokenTtlSec;
      if (change.visibleRange) state.visibleRange = { ...state.visibleRange, ...change.visibleRange };
    },
  };

  // The options of the settings are checked as POST /__fake/settings checks them.
  const initial = Object.entries({ members: options.members, callback: options.callback, callbackConfigured: options.callbackConfigured, oauthUser: options.oauthUser, trustedDomain: options.trustedDomain }).filter(([, v]) => v !== undefined);
  if (initial.length) controls.settings(Object.fromEntries(initial));

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
    /** Changes settings as POST /__fake/settings does; throws SettingsRefused with what is wrong. */
    settings: controls.settings,
    get updateCalls() {
      return state.updateCalls;
    },
    get userCalls() {
      return state.userCalls;
    },
    get clicks() {
      return state.clicks;
    },
    get members() {
      return state.members;
    },
    /** Every update_template_card that changed a card: when, the body, who now sees the new card. */
    get updates() {
      return state.cards.updates;
    },
    /** Per task_id, the card as each recipient now sees it (GET /__fake/cards answers the same). */
    get cards() {
      return cardsOf(state);
    },
    /** The card a member now sees for a task ({card, text, greyed?}), undefined if they never got it. */
    cardFor(taskId: string, userid: string) {
      return cardFor(state, taskId, userid);
    },
    /** A member presses a button, played to the callback as WeCom does (POST /__fake/click); throws ClickRefused. */
    click(click: Click) {
      return controls.click(click);
    },
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
