import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { formatTime } from '@ng/core';
import { root } from '@ng/testkit';
import { startInProcessGateway, type InProcessGateway } from './support/gateway';

/**
 * The console in a real browser (Debian's chromium driven by playwright-core): the list and
 * its filters, an alert's timeline, a storm card's link opened without the admin password,
 * a silence made from an alert, the on-call page, an alert claimed from its page; hostile
 * alert text stays text. Screenshots go to e2e/screenshots (the README's are copies of them).
 */
const SHOTS = path.join(root, 'e2e/screenshots');
const ADMIN = { username: 'ops', password: 'console-pass-1' };
const HOSTILE = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">';
const TZ = 'Asia/Shanghai';
/** A local date (DISPLAY_TZ) some days from today: the on-call page shows the 14 days to come. */
const day = (days: number) => formatTime(Date.now() + days * 86_400_000, TZ)!.slice(0, 10);

/** Two rotations, one with a swap in the coming days and a member known by name and phone. */
function onCallPolicy(): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'console-policy-')), 'policy.yaml');
  fs.writeFileSync(
    file,
    `rotations:
  - id: sre
    members: [zhangsan, lisi, { userid: wangwu, name: 王五, mobile: "13800001111" }]
    handoff: "09:00"
    every: 7d
    start: ${day(-10)}
    overrides:
      - { from: "${day(3)} 18:00", to: "${day(5)} 09:00", userid: zhangsan }
  - id: dba
    members: [{ userid: zhaoliu, name: 赵六 }, { mobile: "13900002222", name: 钱七 }]
    handoff: "10:00"
    every: 1d
    start: ${day(-3)}
`,
  );
  return file;
}

describe('the console', () => {
  let gw: InProcessGateway;
  let browser: Browser;
  let admin: BrowserContext;
  let stranger: BrowserContext;

  beforeAll(async () => {
    gw = await startInProcessGateway({ ADMIN_USER: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, STORM_THRESHOLD: '3', WEBHOOK_TOKEN: 'console-hook-token', DISPLAY_TZ: TZ, POLICY_FILE: onCallPolicy() }, { linked: true });
    const hook = { authorization: 'Bearer console-hook-token' };
    // A hostile alert: title, labels, annotations and link all written by an attacker.
    const evil = {
      version: '4', status: 'firing', receiver: 'gw', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://am', truncatedAlerts: 0,
      alerts: [{ status: 'firing', labels: { alertname: HOSTILE, severity: 'critical', service: 'checkout', team: '<b>dba</b>' }, annotations: { summary: HOSTILE, description: '<a href="javascript:alert(1)">点我</a>' }, startsAt: '2026-12-04T02:00:00Z', generatorURL: 'javascript:alert(document.cookie)', fingerprint: 'e5e5e5e5e5e5e5e5' }],
    };
    expect((await gw.post('/webhook/alertmanager', JSON.stringify(evil), hook)).status).toBe(202);
    // A storm on the app destination: 3 cards, then one summary for the rest.
    for (const [n, name] of ['DiskFull', 'DiskFull', 'NodeDown', 'DiskFull', 'HighLatency', 'DiskFull', 'NodeDown', 'DiskFull'].entries()) {
      const body = { ...evil, alerts: [{ ...evil.alerts[0], labels: { alertname: name, severity: n % 3 ? 'critical' : 'warning', service: n % 2 ? 'api' : 'db', instance: `node-${n}` }, annotations: { summary: `${name} on node-${n}` }, generatorURL: 'http://prometheus/graph', fingerprint: `f${n}`.padEnd(16, '0') }] };
      expect((await gw.post('/webhook/alertmanager', JSON.stringify(body), hook)).status).toBe(202);
    }
    await gw.settled();
    await gw.nextMinute();
    await gw.settled();
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    admin = await browser.newContext({ httpCredentials: ADMIN, viewport: { width: 1100, height: 800 } });
    // Someone in WeCom on a phone: no admin password.
    stranger = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    fs.mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  /** Fails the test if any script ran or any dialog opened on the page. */
  async function noScriptRan(page: Page) {
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  }
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  it('the alert list filters and searches; hostile text is shown as text', async () => {
    const page = await admin.newPage();
    page.on('dialog', () => {
      throw new Error('a dialog opened: a script ran');
    });
    const res = await page.goto(`${gw.base}/console`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
    await expect.poll(() => page.locator('tr.alert').count()).toBe(9);
    await shot(page, 'console-alerts');
    await page.selectOption('select[name=severity]', 'warning');
    await page.fill('input[name=q]', 'diskfull');
    await page.click('button[type=submit]');
    const titles = await page.locator('tr.alert td:nth-child(3) a').allTextContents();
    expect(titles.length).toBeGreaterThan(0);
    expect(titles.every((t) => t.startsWith('DiskFull'))).toBe(true);
    expect(await page.locator(`text=${HOSTILE}`).count()).toBe(0);
    await shot(page, 'console-alerts-filtered');
    await noScriptRan(page);
  });

  it("an alert's page: what came in, the decision, every message, the problem's timeline — and no script runs", async () => {
    const page = await admin.newPage();
    await page.goto(`${gw.base}/console?q=${encodeURIComponent('<script>')}`);
    await page.locator('tr.alert td:nth-child(3) a').first().click();
    await expect.poll(() => page.locator('h1').textContent()).toBe(HOSTILE);
    const body = await page.locator('main').innerText();
    expect(body).toContain('window.__pwned = 1');
    for (const heading of ['处理结果', '消息', '问题时间线', '静默这个问题']) expect(body).toContain(heading);
    // A javascript: link from the payload never becomes a link.
    expect(await page.locator('a[href^="javascript"]').count()).toBe(0);
    await noScriptRan(page);
    await shot(page, 'console-alert');
  });

  it('a storm card links to the list of every alert it holds, opened without the admin password', async () => {
    const summary = gw.wecom.messages.find((m) => m.content.includes('风暴合并'));
    const link = /📋 查看全部 (\d+) 条: (\S+)/.exec(summary?.content ?? '');
    expect(link).not.toBeNull();
    const page = await stranger.newPage();
    expect((await page.goto(link![2]))?.status()).toBe(200);
    await expect.poll(() => page.locator('tr.alert').count()).toBe(Number(link![1]));
    await shot(page, 'console-storm-list-phone');
    // Its alerts open too (their own signed links), read-only: no forms, no navigation.
    await page.locator('tr.alert a').first().click();
    await expect.poll(() => page.locator('text=通过消息中的链接只读打开').count()).toBe(1);
    expect(await page.locator('form').count()).toBe(0);
    expect(await page.locator('header a').count()).toBe(0);
    await shot(page, 'console-alert-phone');
    // Without the token, or with it changed: nothing.
    const tampered = link![2].replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    const refused = await page.goto(tampered);
    expect(refused?.status()).toBe(401);
    expect(await page.locator('tr.alert').count()).toBe(0);
    // (A browser asks for a password on this one: a plain request shows the answer.)
    expect((await stranger.request.get(link![2].split('?')[0])).status()).toBe(401);
  });

  it('a silence made from an alert, its matchers filled in; the silences page shows who made it', async () => {
    const page = await admin.newPage();
    await page.goto(`${gw.base}/console?q=HighLatency`);
    await page.locator('tr.alert td:nth-child(3) a').first().click();
    const values = await page.locator('.matchers input[name=value]').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value).filter(Boolean));
    expect(values).toEqual(['alertmanager', 'HighLatency', 'db']);
    await page.selectOption('select[name=duration]', '2h');
    await page.click('text=创建静默');
    await expect.poll(() => page.url()).toContain('/console/silences?created=');
    const live = await page.locator('main table').first().innerText();
    expect(live).toContain('alertname="HighLatency"');
    expect(live).toContain('ops');
    await shot(page, 'console-silences');
  });

  it('值班: each rotation, who is on call and who is next, the handovers of 14 days, a swap marked, phones masked', async () => {
    const page = await admin.newPage();
    await page.goto(`${gw.base}/console`);
    await page.click('header a:has-text("值班")');
    await expect.poll(() => page.url()).toContain('/console/oncall');
    expect(await page.locator('main h2').allTextContents()).toEqual([expect.stringMatching(/^sre 每 7d 于 09:00 交接/), expect.stringMatching(/^dba 每 1d 于 10:00 交接/)]);
    const text = await page.locator('main').innerText();
    for (const words of ['当前值班', '下一班', '临时调班', '138****1111', '139****2222', '钱七']) expect(text).toContain(words);
    expect(text).not.toMatch(/13800001111|13900002222/);
    // Daily turns: today's and each of the 14 days after it.
    expect(await page.locator('main table').nth(1).locator('tbody tr').count()).toBe(15);
    await noScriptRan(page);
    await shot(page, 'console-oncall');
  });

  it("an alert's page acts: 认领 as the admin is queued, done by the worker, and the page then says who claimed it", async () => {
    const page = await admin.newPage();
    await page.goto(`${gw.base}/console?q=NodeDown`);
    await page.locator('tr.alert td:nth-child(3) a').first().click();
    for (const label of ['认领', '静默 1 小时', '已处理']) expect(await page.locator(`form button:text-is("${label}")`).count()).toBe(1);
    await shot(page, 'console-alert-actions');
    await page.click('form button:text-is("认领")');
    await expect.poll(() => page.url()).toContain('queued=claim');
    // Queued, or (a quick worker) already done.
    expect(await page.locator('main').innerText()).toMatch(/已提交「认领」|✋ 已认领: ops/);
    await expect.poll(async () => (await page.reload(), page.locator('main').innerText()), { timeout: 15_000 }).toMatch(/✋ 已认领: ops/);
    // Claimed: no 认领 any more; the others stay.
    expect(await page.locator('form button:text-is("认领")').count()).toBe(0);
    expect(await page.locator('form button:text-is("静默 1 小时")').count()).toBe(1);
    await noScriptRan(page);
    await shot(page, 'console-alert-claimed');
  });

  it('a change without the form’s token is refused (CSRF)', async () => {
    const res = await fetch(`${gw.base}/console/silences`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=service&op=%3D&value=x&duration=1h',
    });
    expect(res.status).toBe(403);
  });
});
