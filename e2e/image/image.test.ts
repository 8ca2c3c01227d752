import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, root, sleep, startFakeWecom } from '@ng/testkit';
import { startRedisServer } from '../chaos/support';
import { pickEngine } from './engine';

/**
 * The image as operators get it: built from a clean checkout (the repository's files, new ones
 * included; no node_modules, dist or .env), run in both modes against a Redis of its own and the
 * fake WeCom on the host network. Prints its size and how long the build took.
 */
const engine = pickEngine();
const TAG = 'localhost/notification-gateway:image-test';
const GRACE_MS = 10_000;
const containers: string[] = [];

/** The files of a fresh clone, copied from this checkout (new files included, ignored ones not). */
function cleanCheckout(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-context-'));
  const files = execFileSync('git', ['ls-files', '-z', '-co', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\0').filter((f) => f && fs.existsSync(path.join(root, f)));
  for (const file of files) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(dir, file));
  }
  return dir;
}

/** Packages the workspace uses only as devDependencies (typescript, vitest, turbo …): none belongs in the image. */
function devOnlyDependencies(): Set<string> {
  const manifests = execFileSync('git', ['ls-files', 'package.json', '*/package.json', '*/*/package.json'], { cwd: root, encoding: 'utf8' }).trim().split('\n');
  const dev = new Set<string>();
  const prod = new Set<string>();
  for (const file of manifests) {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')) as { dependencies?: object; devDependencies?: object };
    for (const name of Object.keys(manifest.devDependencies ?? {})) dev.add(name);
    for (const name of Object.keys(manifest.dependencies ?? {})) prod.add(name);
  }
  return new Set([...dev].filter((name) => !prod.has(name)));
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await Promise.resolve(probe()).catch(() => undefined);
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const health = (port: number) => fetch(`http://127.0.0.1:${port}/health`).then((r) => (r.ok ? r.status : undefined));

/**
 * POST /test on a new connection: between polls the test spends seconds in healthchecks, and a
 * kept-alive socket may be closed by the server (5 s idle) just as it is reused.
 */
function postTest(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: '/test', method: 'POST', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe(`the image (${engine.name})`, () => {
  let redis: Awaited<ReturnType<typeof startRedisServer>>;
  let wecom: Awaited<ReturnType<typeof startFakeWecom>>;
  let env: Record<string, string>;

  beforeAll(async () => {
    const context = cleanCheckout();
    const started = Date.now();
    try {
      await engine.build(context, TAG);
    } finally {
      fs.rmSync(context, { recursive: true, force: true });
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    console.log(`[image] ${TAG}: ${(engine.imageSize(TAG) / 1e6).toFixed(0)} MB, built in ${seconds} s with ${engine.name}`);
    redis = await startRedisServer();
    wecom = await startFakeWecom();
    env = {
      REDIS_URL: redis.url,
      WEIXIN_API_BASE: wecom.url,
      WEIXIN_CORP_ID: wecom.corpId,
      WEIXIN_CORP_SECRET: wecom.corpSecret,
      WEIXIN_AGENT_ID: String(wecom.agentId),
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
    };
  }, 900_000);

  afterAll(async () => {
    for (const c of containers) engine.remove(c);
    await redis?.stop();
    await wecom?.close();
  });

  function start(extra: Record<string, string>, command?: string[], readOnly = false): string {
    const id = engine.run(TAG, { env: { ...env, ...extra }, command, readOnly });
    containers.push(id);
    return id;
  }

  /** SIGTERM: every process must leave by itself (exit 0) well within the grace period. */
  function stopCleanly(id: string) {
    const { exitCode, ms } = engine.stop(id, (GRACE_MS + 10_000) / 1000);
    expect(exitCode, engine.logs(id).slice(-2000)).toBe(0);
    expect(ms).toBeLessThan(GRACE_MS + 5_000);
  }

  it('runs as an unprivileged user with production dependencies only, and has a HEALTHCHECK', () => {
    expect(engine.inspectImage(TAG)).toMatchObject({ user: 'node', healthcheck: ['CMD', 'node', 'dist/healthcheck.js'] });
    expect(engine.exec(TAG, 'id', ['-u']).trim()).not.toBe('0');
    // pnpm's store names a package `name@version`, a scoped one `@scope+name@version`.
    const installed = new Set(engine.exec(TAG, 'ls', ['/app/node_modules/.pnpm']).split('\n').map((dir) => dir.replace(/(.)@.*$/, '$1').replace('+', '/')));
    expect(installed.size).toBeGreaterThan(50);
    expect([...devOnlyDependencies()].filter((name) => installed.has(name))).toEqual([]);
  });

  it('all-in-one: /health, POST /test delivered to WeCom (消息发送成功), healthy on any PORT, SIGTERM → exit 0', async () => {
    const port = await freePort();
    const id = start({ PORT: String(port) });
    await waitFor('/health', () => health(port));
    expect(engine.healthy(id)).toBe(true);
    const before = wecom.sendCalls;
    expect(await postTest(port)).toBe(202);
    await waitFor('消息发送成功 in the log', () => engine.logs(id).includes('消息发送成功'));
    expect(wecom.sendCalls).toBe(before + 1);
    expect(wecom.messages.at(-1)?.content).toContain('测试消息');
    stopCleanly(id);
  });

  it('split, read-only root as on Kubernetes: ingest and two workers, each healthy on its own port, one delivery, each stops with 0', async () => {
    const port = await freePort();
    const ingest = start({ PORT: String(port) }, ['node', 'node_modules/@ng/ingest/dist/main.js'], true);
    const workerPorts = [await freePort(), await freePort()];
    const workers = workerPorts.map((p) => start({ METRICS_PORT: String(p) }, ['node', 'node_modules/@ng/worker/dist/main.js'], true));
    await waitFor('ingest /health', () => health(port));
    for (const p of workerPorts) await waitFor(`worker /health on ${p}`, () => health(p));
    for (const id of [ingest, ...workers]) expect(engine.healthy(id), engine.logs(id).slice(-1000)).toBe(true);

    const before = wecom.sendCalls;
    expect(await postTest(port)).toBe(202);
    await waitFor('消息发送成功 in a worker log', () => workers.some((w) => engine.logs(w).includes('消息发送成功')));
    await sleep(1000);
    expect(wecom.sendCalls).toBe(before + 1);
    expect(engine.logs(ingest)).toContain('ingest listening');
    for (const id of [ingest, ...workers]) stopCleanly(id);
  });
});
