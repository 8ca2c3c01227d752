import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preview } from '@ng/core';
import { fixture, startTestIngest } from './support';

const auth = { authorization: `Basic ${Buffer.from('ops:preview-pass-1').toString('base64')}`, 'content-type': 'application/json' };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'preview-'));
const policyFile = path.join(dir, 'policy.yaml');
const robots = (template: string) => `destinations:\n  - { id: ops, type: robot, key: "k-1" }\ntemplates:\n  alertmanager:\n    markdown: "${template}"\n`;

describe('POST /api/preview and POST /-/reload', () => {
  let ingest: Awaited<ReturnType<typeof startTestIngest>>;
  const preview = async (body: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(`${ingest.base}/api/preview`, { method: 'POST', headers: { ...auth, ...headers }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Preview & { error?: string } };
  };
  const health = async () => ((await (await fetch(`${ingest.base}/health`)).json()) as { policy: { hash: string } }).policy.hash;
  const reload = async () => {
    const res = await fetch(`${ingest.base}/-/reload`, { method: 'POST', headers: auth });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    fs.writeFileSync(policyFile, robots('AM {{ alert.title }}'));
    ingest = await startTestIngest({ ADMIN_USER: 'ops', ADMIN_PASSWORD: 'preview-pass-1', POLICY_FILE: policyFile });
  });
  afterAll(async () => {
    await ingest.close();
  });

  it('admin only', async () => {
    const res = await fetch(`${ingest.base}/api/preview`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"example":"sentry-issue"}' });
    expect(res.status).toBe(401);
    expect((await fetch(`${ingest.base}/-/reload`, { method: 'POST' })).status).toBe(401);
  });

  it('a bundled example, by name: fate, reason, template and every part with its bytes against the limit', async () => {
    const { status, body } = await preview({ example: 'alertmanager-firing' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ event: 'alertmanager', policy: await health() });
    expect(body.alerts[0].destinations).toEqual([
      {
        destination: 'ops', type: 'robot', format: 'markdown', route: 'default', fate: 'queued', reason: 'to ops',
        template: `${policyFile} (templates.alertmanager.markdown)`, parts: [{ text: 'AM RedisConnectionFailed', bytes: 24, limit: 4096 }],
      },
    ]);
  });

  it('a webhook body as the sender posts it: Alertmanager by its shape, Sentry by its header', async () => {
    const am = await preview(fixture('alertmanager/group-3.json'));
    expect(am.body.alerts).toHaveLength(3);
    // Warnings wait for the hourly digest: nothing is sent now.
    expect(am.body.alerts.map((a) => a.destinations[0])).toEqual(Array(3).fill(expect.objectContaining({ fate: 'digested', reason: 'digested into the hourly digest (ops)', parts: [] })));
    const sentry = await preview(fixture('sentry/issue.created.json'), { 'sentry-hook-resource': 'issue' });
    expect(sentry.body.event).toBe('issue.created');
    expect(sentry.body.alerts[0].destinations[0].parts[0].text).toMatch(/^<font color="warning">\*\*🆕 \[Sentry 应用告警\] ReferenceError: blooopy is not defined\*\*<\/font>\n/);
    expect((await preview(fixture('sentry/comment.created.json'), { 'sentry-hook-resource': 'comment' })).body).toMatchObject({ alerts: [], ignored: 'comment webhooks carry no alert' });
  });

  it('a policy sent with the preview is used for it alone; it may not read files; its errors are 400 with line and column', async () => {
    const tried = await preview({ example: 'alertmanager-firing', policy: robots('TRY {{ alert.instance }}') });
    expect(tried.body.alerts[0].destinations[0].parts[0].text).toBe('TRY redis:6379');
    expect(tried.body.policy).not.toBe(await health());
    const files = await preview({ example: 'alertmanager-firing', policy: 'templates: { sentry: { text: { file: /etc/passwd } } }' });
    expect(files.status).toBe(400);
    expect(files.body.error).toMatch(/cannot name template files/);
    const broken = await preview({ example: 'alertmanager-firing', policy: 'templates:\n  sentry:\n    text: |\n      ok\n      {{ alert.title | nope }}\n' });
    expect(broken.status).toBe(400);
    expect(broken.body.error).toMatch(/the request's policy:5:7: undefined filter: nope/);
  });

  it('an active silence shows as the fate', async () => {
    const created = await fetch(`${ingest.base}/api/silences`, { method: 'POST', headers: auth, body: JSON.stringify({ matchers: { service: 'recommendation-api' }, duration: '1h', comment: 'preview test' }) });
    const { id } = (await created.json()) as { id: string };
    const { body } = await preview({ example: 'sentry-issue' });
    expect(body.alerts[0].destinations[0]).toMatchObject({ fate: 'silenced', reason: `silenced by ${id}`, parts: [] });
    await fetch(`${ingest.base}/api/silences/${id}`, { method: 'DELETE', headers: auth });
  });

  it.each([
    [{ example: 'nope' }, /no bundled example "nope": try alertmanager-firing, alertmanager-resolved, sentry-issue, sentry-metric-alert/],
    [{ example: 'sentry-issue', webhook: {} }, /must not contain|contains a conflict/],
    [[1, 2], /must be a JSON object/],
  ])('a bad request is 400 and says why (%j)', async (body, message) => {
    const { status, body: answer } = await preview(body);
    expect(status).toBe(400);
    expect(answer.error).toMatch(message);
  });

  it('reload: a broken file keeps the policy in force (500 with the reason, metric 0), a fixed one replaces it (200, metric 1, new hash)', async () => {
    const before = await health();
    fs.writeFileSync(policyFile, robots('AM {{ alert.title | nope }}'));
    const failed = await reload();
    expect(failed.status).toBe(500);
    expect(failed.body).toMatchObject({ status: 'failed', error: expect.stringMatching(/policy\.yaml \(templates\.alertmanager\.markdown\):1:4: undefined filter: nope/) });
    expect(failed.body.processes).toEqual([expect.objectContaining({ ok: false, hash: before, process: expect.stringMatching(/^ingest@/) })]);
    expect(await health()).toBe(before);
    expect(await (await fetch(`${ingest.base}/metrics`)).text()).toMatch(/^ng_config_last_reload_successful\{app="ingest"\} 0$/m);
    expect((await preview({ example: 'alertmanager-firing' })).body.alerts[0].destinations[0].parts[0].text).toBe('AM RedisConnectionFailed');

    fs.writeFileSync(policyFile, robots('NEW {{ alert.title }}'));
    const done = await reload();
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'reloaded', hash: await health() });
    expect(await health()).not.toBe(before);
    const metrics = await (await fetch(`${ingest.base}/metrics`)).text();
    expect(metrics).toMatch(/^ng_config_last_reload_successful\{app="ingest"\} 1$/m);
    expect(Number(/^ng_config_last_reload_success_timestamp_seconds\{app="ingest"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThan(Date.now() / 1000 - 10);
    expect((await preview({ example: 'alertmanager-firing' })).body.alerts[0].destinations[0].parts[0].text).toBe('NEW RedisConnectionFailed');
  });
});
