import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, root, startFakeWecom, startProc, type FakeWecom, type FakeWecomOptions } from '@ng/testkit';
import { startRedisServer } from '../chaos/support';

/**
 * `pnpm doctor` (node apps/gateway/dist/doctor.js, as in the image) against the fake WeCom and
 * Redis servers of its own, one wrong setting at a time: each must show as a row naming the
 * fix, and the exit code must say whether anything is to be fixed.
 */
interface Cell {
  mark: string;
  check: string;
  found: string;
  fix: string;
}

async function doctor(env: Record<string, string>, args: string[] = []): Promise<{ code: number | null; output: string; rows: Cell[] }> {
  // Wide enough that no cell wraps, so each row is one line to read back.
  const proc = startProc(path.join(root, 'apps/gateway/dist/doctor.js'), { COLUMNS: '500', ...env }, { args });
  const code = await new Promise<number | null>((resolve) => proc.child.once('exit', resolve));
  await proc.stop();
  const rows = proc
    .output()
    .split('\n')
    .filter((line) => line.startsWith('│') && !line.includes('│ check '))
    .map((line) => {
      const [mark, check, found, fix] = line.split('│').slice(1, -1).map((c) => c.trim());
      return { mark, check, found, fix };
    });
  return { code, output: proc.output(), rows };
}

let redisUrl = '';
let evictingRedisUrl = '';
const redisServers: Array<{ kill(): void; dir: string }> = [];
const tempDirs: string[] = [];

beforeAll(async () => {
  // As docker-compose.yml runs it: AOF and noeviction. The other one evicts.
  const good = await startRedisServer({ aof: true });
  const evicting = await startRedisServer({ aof: true, args: ['--maxmemory-policy', 'allkeys-lru'] });
  redisServers.push(good, evicting);
  redisUrl = good.url;
  evictingRedisUrl = evicting.url;
});
afterAll(() => {
  for (const s of redisServers) s.kill();
  for (const dir of [...redisServers.map((s) => s.dir), ...tempDirs]) fs.rmSync(dir, { recursive: true, force: true });
});

/** The gateway's settings for an app and a robot on the fake. */
const settings = (wecom: FakeWecom, extra: Record<string, string> = {}) => ({
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: '{e2e-doctor}',
  PORT: '1', // nothing listens there: ingest is reported as not running here, a warning
  WEIXIN_API_BASE: wecom.url,
  WEIXIN_CORP_ID: wecom.corpId,
  WEIXIN_CORP_SECRET: wecom.corpSecret,
  WEIXIN_AGENT_ID: String(wecom.agentId),
  WEIXIN_TO_USER: 'zhangsan|lisi',
  WEIXIN_ROBOT_KEY: 'robot-key-one-secret',
  ...extra,
});

type Expected = { check: string; mark: string; found?: RegExp; fix?: RegExp };

type Env = Record<string, string>;
const SCENARIOS: Array<[string, FakeWecomOptions, (wecom: FakeWecom) => Env | Promise<Env>, string[], number, Expected[]]> = [
  ['all right', {}, (w) => settings(w), [], 0, [
    { check: 'Redis', mark: '✔ ok', found: /Redis 7[\d.]* \(standalone\), a test key written and deleted/ },
    { check: 'Redis eviction', mark: '✔ ok' },
    { check: 'Redis persistence', mark: '✔ ok' },
    { check: 'app (app): corp id, secret', mark: '✔ ok' },
    { check: 'app (app): agent id, IP', mark: '✔ ok' },
    { check: 'app (app): recipients', mark: '✔ ok', found: /touser zhangsan\|lisi: inside the visible range/ },
    { check: 'app (app): test message', mark: '- skip', fix: /--send/ },
    { check: 'robot-1 (robot)', mark: '✔ ok', found: /key valid \(upload_media accepted it; nothing posted\)/, fix: /disabled \(93004\) shows only when it posts: --send/ },
    { check: 'ingest on this host', mark: '! warn' },
  ]],
  ['all right, with --send', {}, (w) => settings(w), ['--send'], 0, [
    { check: 'app (app): test message', mark: '✔ ok' },
    { check: 'robot-1 (robot)', mark: '✔ ok', found: /test message posted/ },
  ]],
  ['wrong corp secret', {}, (w) => settings(w, { WEIXIN_CORP_SECRET: 'not-the-secret' }), [], 1, [
    { check: 'app (app): corp id, secret', mark: '✘ FAIL', found: /^errcode 40001: invalid credential/, fix: /^WEIXIN_CORP_SECRET is wrong \(invalid credential\): copy the app Secret again/ },
  ]],
  ['wrong corp id', {}, (w) => settings(w, { WEIXIN_CORP_ID: 'ww-other' }), [], 1, [
    { check: 'app (app): corp id, secret', mark: '✘ FAIL', found: /^errcode 40013/, fix: /^WEIXIN_CORP_ID is wrong/ },
  ]],
  ['wrong agent id', {}, (w) => settings(w, { WEIXIN_AGENT_ID: '1000099' }), [], 1, [
    { check: 'app (app): agent id, IP', mark: '✘ FAIL', found: /^errcode 40056/, fix: /^WEIXIN_AGENT_ID is wrong/ },
  ]],
  ['untrusted IP (60020)', { untrustedIp: true }, (w) => settings(w), [], 1, [
    { check: 'app (app): corp id, secret', mark: '✔ ok' },
    { check: 'app (app): agent id, IP', mark: '✘ FAIL', found: /^errcode 60020: not allow to access from your ip \(from ip 127\.0\.0\.1\)$/, fix: /add this server's egress IP to the app's trusted IPs \(企业可信IP\)/ },
  ]],
  ['nobody in the visible range', { visibleRange: { parties: [] } }, (w) => settings(w), [], 1, [
    { check: 'app (app): recipients', mark: '✘ FAIL', found: /visible range \(可见范围\) is empty: nobody can receive \(81013\)/, fix: /可见范围/ },
  ]],
  ['recipients outside the visible range', { visibleRange: { parties: [7], users: ['zhangsan'] } }, (w) => settings(w), [], 0, [
    { check: 'app (app): recipients', mark: '! warn', found: /^lisi not listed in the app's visible range/, fix: /add them to 可见范围/ },
  ]],
  ['a disabled robot (93004), found by --send', { disabledRobotKeys: ['robot-key-disabled'] }, (w) => settings(w, { WEIXIN_ROBOT_KEY: 'robot-key-disabled' }), ['--send'], 1, [
    { check: 'robot-1 (robot)', mark: '✘ FAIL', found: /^errcode 93004/, fix: /^the group robot is disabled \(机器人被停用\): enable it or replace WEIXIN_ROBOT_KEY/ },
  ]],
  ['a wrong robot key (93000), without sending', {}, (w) => settings(w, { WEIXIN_ROBOT_KEY: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=robot-key-one-secret' }), [], 1, [
    { check: 'robot-1 (robot)', mark: '✘ FAIL', found: /^errcode 93000: invalid webhook url/, fix: /the bare key, not the whole URL/ },
  ]],
  ['Redis without noeviction', {}, (w) => settings(w, { REDIS_URL: evictingRedisUrl }), [], 1, [
    { check: 'Redis eviction', mark: '✘ FAIL', found: /^maxmemory-policy allkeys-lru: when memory runs short Redis may delete queued alerts$/, fix: /^redis-cli CONFIG SET maxmemory-policy noeviction/ },
  ]],
  ['Redis without AOF', {}, (w) => settings(w, { REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' }), [], 0, [
    // The shared Redis of this machine keeps nothing on disk: a warning, not a failure.
    { check: 'Redis persistence', mark: '! warn', fix: /appendonly yes/ },
  ]],
  ['Redis unreachable', {}, async (w) => settings(w, { REDIS_URL: `redis://127.0.0.1:${await freePort()}` }), [], 1, [
    { check: 'Redis', mark: '✘ FAIL', found: /not reachable \(ECONNREFUSED\)$/, fix: /^start Redis/ },
  ]],
  ['a broken policy file', {}, (w) => settings(w, { POLICY_FILE: policyFile('destinations: [{ id: x, type: pager }]') }), [], 1, [
    { check: 'policy', mark: '✘ FAIL', found: /is invalid; destinations\[0\]\.type must be one of \[app, robot, log\]/ },
    // The destinations from the environment are checked all the same.
    { check: 'app (app): corp id, secret', mark: '✔ ok' },
  ]],
  ['no WeCom at all: a dry run', {}, () => ({ REDIS_URL: redisUrl, QUEUE_PREFIX: '{e2e-doctor}', PORT: '1' }), [], 0, [
    { check: 'log (log)', mark: '! warn', found: /^dry run: its cards go to the log, nothing reaches WeCom$/, fix: /WEIXIN_CORP_ID/ },
  ]],
  ['a wrong setting', {}, (w) => settings(w, { DEDUP_WINDOW: '10' }), [], 1, [
    { check: 'settings', mark: '✘ FAIL', found: /^DEDUP_WINDOW="10": expected a number and a unit/ },
  ]],
];

function policyFile(yaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-doctor-'));
  tempDirs.push(dir);
  const file = path.join(dir, 'policy.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

describe('pnpm doctor: each first-hour mistake named with its fix', () => {
  it.concurrent.each(SCENARIOS)('%s', async (_name, fakeOptions, env, args, exitCode, expected) => {
    const wecom = await startFakeWecom(fakeOptions);
    try {
      const settingsGiven = await env(wecom);
      const result = await doctor(settingsGiven, args);
      for (const want of expected) {
        const row = result.rows.find((r) => r.check === want.check);
        expect(row, `${want.check} in\n${result.output}`).toBeDefined();
        expect(row?.mark, result.output).toBe(want.mark);
        if (want.found) expect(row?.found).toMatch(want.found);
        if (want.fix) expect(row?.fix).toMatch(want.fix);
      }
      expect(result.code, result.output).toBe(exitCode);
      expect(result.output).toMatch(exitCode ? /\d+ to fix/ : /nothing to fix/);
      // Nothing is posted unless asked.
      if (!args.includes('--send')) expect(wecom.messages).toHaveLength(0);
      if (_name === 'all right, with --send') expect(wecom.messages.map((m) => m.api).sort()).toEqual(['app', 'robot']);
      // Secrets never reach the table.
      for (const secret of [settingsGiven.WEIXIN_CORP_SECRET, settingsGiven.WEIXIN_ROBOT_KEY, wecom.corpSecret]) if (secret) expect(result.output).not.toContain(secret);
    } finally {
      await wecom.close();
    }
  });

  it('a wrong option is refused with the usage', async () => {
    const result = await doctor({}, ['--sned']);
    expect(result.code).toBe(2);
    expect(result.output).toContain('doctor: unknown option --sned\nusage: doctor [--send]');
  });
});
