import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { alertmanagerWebhook } from '../chaos/support';
import { root } from '@ng/testkit';
import { startInProcessGateway, type InProcessGateway } from './support/gateway';

/**
 * A group robot has no buttons: its card links to the alert's console page to 认领 or 静默 1
 * 小时. On a phone inside WeCom (chromium here, the fake WeCom's OAuth): the link opens the page
 * read-only, the member says who they are through WeCom's sign-in, confirms, and the worker
 * claims the problem under their name. Opening the link alone changes nothing.
 */
const SHOTS = path.join(root, 'e2e/screenshots');
const ROBOT_KEY = 'robot-key-one-secret';

describe('acting from a robot card', () => {
  let gw: InProcessGateway;
  let browser: Browser;
  let phone: BrowserContext;

  beforeAll(async () => {
    gw = await startInProcessGateway({ ADMIN_USER: 'ops', ADMIN_PASSWORD: 'card-pass-1', WEIXIN_ROBOT_KEY: ROBOT_KEY }, { linked: true });
    // The app's 可信域名 is the gateway's host, as the README's set-up says.
    gw.wecom.settings({ trustedDomain: new URL(gw.base).host });
    await gw.alert(1, 'critical', 'card');
    await gw.settled();
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
    // 张三 on a phone inside WeCom: no admin password.
    phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    fs.mkdirSync(SHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it('the robot card carries 认领 and 静默 1 小时 as links; the app card (text) does not', () => {
    const robot = gw.wecom.messages.find((m) => m.api === 'robot');
    expect(robot?.msgtype).toBe('markdown');
    expect(robot?.content).toMatch(/\[✋ 认领\]\(http:\/\/127\.0\.0\.1:\d+\/console\/alerts\/\w+\?t=[\w.-]+&do=claim\) · \[🔕 静默 1 小时\]\([^)]+&do=silence\)/);
    const app = gw.wecom.messages.find((m) => m.api === 'app');
    expect(app?.content).toContain('📋 告警页面');
    expect(app?.content).not.toContain('do=');
  });

  it('the link opens read-only; the member signs in through WeCom, confirms, and the worker claims it under their name', async () => {
    const robot = gw.wecom.messages.find((m) => m.api === 'robot')!;
    const link = /\[✋ 认领\]\((\S+?)\)/.exec(robot.content)![1];
    const page = await phone.newPage();
    expect((await page.goto(link))?.status()).toBe(200);
    const main = () => page.locator('main').innerText();
    expect(await main()).toContain('「认领」前请先确认身份');
    expect(await page.locator('form').count()).toBe(0);
    // Through the fake's authorize page and back: the gateway's callback, then the alert again.
    await page.click('a.button:has-text("确认身份后认领")');
    // (The browser keeps the authorize URL's #wechat_redirect across the redirects, as it does for any fragment.)
    await expect.poll(() => page.url()).toMatch(/\/console\/alerts\/\w+\?do=claim(#wechat_redirect)?$/);
    expect(await page.locator('header .who').innerText()).toBe('👤 张三');
    expect(await main()).toContain('认领这个问题？');
    await page.screenshot({ path: path.join(SHOTS, 'console-confirm-phone.png'), fullPage: true });
    // Nothing was done by opening and signing in.
    expect(gw.log()).not.toContain('card action');
    await page.click('button:text-is("确认认领")');
    await expect.poll(() => page.url()).toContain('queued=claim');
    await expect.poll(async () => (await page.reload(), main()), { timeout: 15_000 }).toMatch(/✋ 已认领: 张三/);
    expect(gw.log()).toMatch(/card action.*"via":"console".*"user":"zhangsan"|"user":"zhangsan".*card action/);
    // The member may act, not administer (the request carries the browser's session cookie).
    expect((await phone.cookies()).map((c) => c.name)).toContain('ng_member');
    expect((await phone.request.get(`${new URL(link).origin}/console/silences`)).status()).toBe(401);
  });
});
