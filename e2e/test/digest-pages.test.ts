import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { root } from '@ng/testkit';
import { startInProcessGateway, type InProcessGateway } from './support/gateway';

const SHOTS = path.join(root, 'e2e/screenshots');
const ADMIN = { username: 'ops', password: 'digest-pages-pass' };
const PROBLEMS = 450;
const NAME = /Chaosdigest\d+x/g;

/**
 * A digest bigger than one page, read on a phone from its card's link: the page starts with the
 * problems the card carried, worst first (here all of one service, so in the card's order),
 * and every problem is one "下一页" away.
 */
describe('a big digest people can page through', () => {
  let gw: InProcessGateway;
  let browser: Browser;
  beforeAll(async () => {
    gw = await startInProcessGateway({ ADMIN_USER: ADMIN.username, ADMIN_PASSWORD: ADMIN.password }, { linked: true });
    browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  });
  afterAll(async () => {
    await browser?.close();
    await gw?.close();
  });

  it(`${PROBLEMS} warnings in the hourly digest: one card, and its page in 3 pages of at most 200`, async () => {
    // Warnings wait for the hourly digest (the seed's policy).
    for (let n = 0; n < PROBLEMS; n++) await gw.alert(n, 'warning', 'digest');
    await gw.settled();
    const auth = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString('base64')}`;
    expect((await fetch(`${gw.base}/api/digests/flush`, { method: 'POST', headers: { authorization: auth } })).status).toBe(200);
    await gw.settled();
    const cards = gw.wecom.messages.filter((m) => m.content.includes(`${PROBLEMS} 个问题`));
    expect(cards).toHaveLength(1);
    const card = cards[0].content;
    const link = new RegExp(`📋 查看全部 ${PROBLEMS} 条: (\\S+)`).exec(card)?.[1];
    expect(link).toBeDefined();
    const onCard = card.match(NAME) ?? [];
    expect(onCard.length).toBeGreaterThan(5);

    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await phone.newPage();
    expect((await page.goto(link!))?.status()).toBe(200);
    const names = async () => (await page.locator('tr.alert a').allTextContents()).map((t) => t.trim());
    const seen: string[] = [];
    for (const [n, rows] of [200, 200, 50].entries()) {
      await expect.poll(() => page.locator('tr.alert').count()).toBe(rows);
      expect(await page.locator('.pager').textContent()).toContain(`第 ${n + 1} / 3 页`);
      seen.push(...(await names()));
      if (n === 0) expect(seen.slice(0, onCard.length)).toEqual(onCard);
      if (n < 2) {
        await page.locator('text=下一页 →').click();
        // The link's own token goes along: no password on any page.
        await expect.poll(() => new URL(page.url()).searchParams.get('page')).toBe(String(n + 2));
        expect(new URL(page.url()).searchParams.get('t')).toBe(new URL(link!).searchParams.get('t'));
      }
    }
    expect(await page.locator('text=下一页 →').count()).toBe(0);
    expect(new Set(seen).size).toBe(PROBLEMS);
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.locator('.pager').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(SHOTS, 'console-digest-pages-phone.png') });
    await phone.close();
  });
});
