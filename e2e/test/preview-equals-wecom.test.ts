import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, createMetrics, exampleNames, loadConfig, loadExample, secretsOf, type Preview } from '@ng/core';
import { startIngest, type RunningIngest } from '@ng/ingest';
import { startWorker, type RunningWorker } from '@ng/worker';
import { REDIS_URL, dropPrefix, root, sleep, startFakeWecom, type FakeWecom } from '@ng/testkit';
import { uniquePrefix } from '../chaos/support';

/**
 * The gateway the `pnpm start` way (ingest and a worker in one process) with an app (text) and
 * a robot (markdown, with a template from docs/templates): for each bundled example, what
 * POST /api/preview says each destination would receive is what the fake WeCom receives.
 */
describe('the preview of each bundled example is what WeCom receives', () => {
  let wecom: FakeWecom;
  let ingest: RunningIngest;
  let worker: RunningWorker;
  const prefix = uniquePrefix('preview');
  let base = '';

  beforeAll(async () => {
    wecom = await startFakeWecom();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'preview-e2e-')), 'policy.yaml');
    fs.writeFileSync(
      file,
      [
        'destinations:',
        '  - { id: oncall, type: app }',
        `  - { id: ops, type: robot, key: robot-key-one-secret, template: { markdown: { file: ${path.join(root, 'docs/templates/runbook-first.markdown.liquid')} } } }`,
        'routes:',
        '  - { name: dba, match: { labels: { team: dba } }, destinations: [oncall, ops], mentions: [wangwu] }',
        '',
      ].join('\n'),
    );
    const config = loadConfig({
      REDIS_URL, QUEUE_PREFIX: prefix, PORT: '0', ADMIN_ALLOW_OPEN: 'true', POLICY_FILE: file,
      WEIXIN_API_BASE: wecom.url, WEIXIN_CORP_ID: wecom.corpId, WEIXIN_CORP_SECRET: wecom.corpSecret, WEIXIN_AGENT_ID: String(wecom.agentId),
    });
    const logger = createLogger({ service: 'gateway', secrets: secretsOf(config), stream: new PassThrough().resume() });
    const metrics = createMetrics('all-in-one');
    worker = await startWorker({ config, logger, metrics });
    ingest = await startIngest({ config, logger, metrics });
    base = `http://127.0.0.1:${ingest.port}`;
  });
  afterAll(async () => {
    await ingest.close();
    await worker.close();
    await wecom.close();
    await dropPrefix(prefix);
  });

  it.each(exampleNames())('%s', async (name) => {
    const json = { 'content-type': 'application/json' };
    const preview = (await (await fetch(`${base}/api/preview`, { method: 'POST', headers: json, body: JSON.stringify({ example: name }) })).json()) as Preview;
    const expected = preview.alerts.flatMap((a) => a.destinations.filter((d) => d.fate === 'queued').map((d) => ({ api: d.type, parts: d.parts.map((p) => p.text) })));
    expect(expected.length).toBeGreaterThan(0);
    for (const { parts } of expected) for (const p of parts) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(4096);

    const before = wecom.messages.length;
    const example = loadExample(name);
    const headers = { ...json, ...(example.resource ? { 'sentry-hook-resource': example.resource } : {}) };
    const res = await fetch(`${base}/webhook/${example.source}`, { method: 'POST', headers, body: JSON.stringify(example.body) });
    expect(res.status).toBe(202);
    const count = expected.reduce((n, e) => n + e.parts.length, 0);
    for (let i = 0; i < 200 && wecom.messages.length < before + count; i++) await sleep(25);
    const received = wecom.messages.slice(before);
    for (const api of ['app', 'robot'] as const) {
      expect(received.filter((m) => m.api === api).map((m) => m.content), api).toEqual(expected.filter((e) => e.api === api).flatMap((e) => e.parts));
    }
  });
});
