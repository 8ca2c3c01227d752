import { createDecipheriv, createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { wecomDecrypt, wecomEncrypt, wecomKey, wecomSignature } from '@ng/core';
import { ClickRefused, startFakeWecom, type FakeWecom } from '../src/fake-wecom';
import { buttonCard, call, sendCard, testClock, updateCard } from './support';

const TOKEN = 'clickToken42';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const CORP = 'ww-click-corp';

/** What the tiny callback server got: the query, the raw body, and the event it decrypted. */
interface Received {
  query: URLSearchParams;
  body: string;
  event: Record<string, string>;
  signatureOk: boolean;
}

/** The test's own reading of WeCom's XML (not the fake's): each <Tag><![CDATA[v]]></Tag> or <Tag>v</Tag>. */
function fields(xml: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of xml.matchAll(/<(\w+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g)) out[m[1]] = m[2] ?? m[3];
  return out;
}

/**
 * The gateway's side, played by the test: checks msg_signature with @ng/core's wecomSignature
 * and by hand (sha1 of the sorted four strings), decrypts with wecomDecrypt for the corp id
 * and by hand (AES-256-CBC, the IV the key's first 16 bytes, 32-byte PKCS#7), then answers as
 * `answer` says.
 */
function startCallbackServer() {
  const received: Received[] = [];
  let answer: (r: Received, res: http.ServerResponse) => void = (_r, res) => res.writeHead(200).end();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const body = Buffer.concat(chunks).toString('utf8');
      const outer = fields(body);
      const [timestamp, nonce, signature] = ['timestamp', 'nonce', 'msg_signature'].map((k) => query.get(k) ?? '');
      const byHand = createHash('sha1').update([TOKEN, timestamp, nonce, outer.Encrypt].sort().join('')).digest('hex');
      const signatureOk = signature === wecomSignature(TOKEN, timestamp, nonce, outer.Encrypt) && signature === byHand;
      const key = wecomKey(AES_KEY);
      const decipher = createDecipheriv('aes-256-cbc', key, key.subarray(0, 16)).setAutoPadding(false);
      const plain = Buffer.concat([decipher.update(Buffer.from(outer.Encrypt, 'base64')), decipher.final()]);
      const pad = plain[plain.length - 1];
      const length = plain.readUInt32BE(16);
      const manual = { xml: plain.subarray(20, 20 + length).toString('utf8'), receiveId: plain.subarray(20 + length, plain.length - pad).toString('utf8'), pad };
      const xml = wecomDecrypt(key, outer.Encrypt, CORP);
      expect(manual).toEqual({ xml, receiveId: CORP, pad: expect.any(Number) });
      expect(manual.pad).toBeGreaterThanOrEqual(1);
      expect(manual.pad).toBeLessThanOrEqual(32);
      expect(plain.length % 32).toBe(0);
      const r: Received = { query, body, event: { ...fields(xml), outerToUserName: outer.ToUserName, outerAgentID: outer.AgentID }, signatureOk };
      received.push(r);
      answer(r, res);
    });
  });
  return {
    received,
    answer(a: typeof answer) {
      answer = a;
    },
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/wecom`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** An encrypted passive reply, as the gateway would write one (reference §1, §4). */
function passiveReply(xml: string, token = TOKEN) {
  const encrypted = wecomEncrypt(wecomKey(AES_KEY), xml, CORP);
  const [timestamp, nonce] = ['1700000000', 'reply-nonce'];
  return `<xml><Encrypt><![CDATA[${encrypted}]]></Encrypt><MsgSignature><![CDATA[${wecomSignature(token, timestamp, nonce, encrypted)}]]></MsgSignature><TimeStamp>${timestamp}</TimeStamp><Nonce><![CDATA[${nonce}]]></Nonce></xml>`;
}

describe('the fake WeCom plays a member clicking a card button, as WeCom calls the app back', () => {
  const clock = testClock(Date.UTC(2025, 5, 1, 2, 32, 7, 450));
  const gateway = startCallbackServer();
  let fake: FakeWecom;
  let card: Record<string, unknown>;
  let taskId: string;
  let callback: { url: string; token: string; aesKey: string };

  beforeAll(async () => {
    callback = { url: `${await gateway.listen()}?source=wecom`, token: TOKEN, aesKey: AES_KEY };
    fake = await startFakeWecom({ corpId: CORP, agentId: 1000077, now: clock.now, callback });
  });
  afterAll(async () => {
    await fake.close();
    await gateway.close();
  });
  afterEach(() => {
    gateway.received.length = 0;
    gateway.answer((_r, res) => res.writeHead(200).end());
  });

  it('posts the template_card_event of §4, encrypted for the corp id and signed with the Token, to the callback URL', async () => {
    card = buttonCard();
    taskId = card.task_id as string;
    expect(await sendCard(fake, card, 'zhangsan|lisi')).toMatchObject({ errcode: 0 });
    const result = await fake.click({ userid: 'zhangsan', taskId, eventKey: 'claim' });
    expect(result).toMatchObject({ status: 200, body: '', answers: [{ status: 200, body: '' }] });
    expect(gateway.received).toHaveLength(1);
    const [got] = gateway.received;
    expect(got.signatureOk).toBe(true);
    expect(got.query.get('source')).toBe('wecom');
    expect(got.query.get('timestamp')).toBe(String(Math.floor(clock.now() / 1000)));
    expect(got.query.get('nonce')).toMatch(/^\d+$/);
    expect(got.event).toEqual({
      outerToUserName: CORP,
      outerAgentID: '1000077',
      ToUserName: CORP,
      FromUserName: 'zhangsan',
      CreateTime: String(Math.floor(clock.now() / 1000)),
      MsgType: 'event',
      Event: 'template_card_event',
      EventKey: 'claim',
      TaskId: taskId,
      CardType: 'button_interaction',
      ResponseCode: result.event.responseCode,
      AgentID: '1000077',
    });
    expect(got.body).toMatch(/^<xml><ToUserName><!\[CDATA\[ww-click-corp\]\]><\/ToUserName><Encrypt><!\[CDATA\[[A-Za-z0-9+/=]+\]\]><\/Encrypt><AgentID><!\[CDATA\[1000077\]\]><\/AgentID><\/xml>$/);
    expect(fake.clicks).toBe(1);
  });

  it('issues a fresh response code with each click, which updates the card for everyone once', async () => {
    const first = await fake.click({ userid: 'lisi', taskId, eventKey: 'silence_1h' });
    const second = await fake.click({ userid: 'lisi', taskId, eventKey: 'silence_1h' });
    expect(first.event.responseCode).not.toBe(second.event.responseCode);
    expect(await updateCard(fake, { atall: 1, response_code: first.event.responseCode, button: { replace_name: '🔕 已静默 1 小时: 李四 10:35' } })).toMatchObject({ errcode: 0 });
    expect(await updateCard(fake, { atall: 1, response_code: first.event.responseCode, button: { replace_name: 'x' } })).toMatchObject({ errcode: 60140 });
    for (const who of ['zhangsan', 'lisi']) expect(fake.cardFor(taskId, who)!.text).toMatch(/\[🔕 已静默 1 小时: 李四 10:35\] \(greyed out\)$/);
    // Greyed buttons cannot be pressed.
    await expect(fake.click({ userid: 'zhangsan', taskId, eventKey: 'claim' })).rejects.toThrow(/greyed out/);
    // Unless the click crossed the update in flight.
    expect((await fake.click({ userid: 'zhangsan', taskId, eventKey: 'claim', force: true })).status).toBe(200);
  });

  it('lets a member click only a button of a card they got', async () => {
    const other = buttonCard();
    await sendCard(fake, other, 'zhangsan');
    const id = other.task_id as string;
    await expect(fake.click({ userid: 'lisi', taskId: id, eventKey: 'claim' })).rejects.toThrow(ClickRefused);
    await expect(fake.click({ userid: 'lisi', taskId: id, eventKey: 'claim' })).rejects.toThrow(`lisi never got a card with task_id "${id}"`);
    await expect(fake.click({ userid: 'zhangsan', taskId: 'no-such-task', eventKey: 'claim' })).rejects.toThrow(/never got a card/);
    await expect(fake.click({ userid: 'zhangsan', taskId: id, eventKey: 'escalate' })).rejects.toThrow('has no button with key "escalate" (its keys: claim, silence_1h, resolve)');
    const notice = { card_type: 'text_notice', main_title: { title: '发布完成' }, card_action: { type: 1, url: 'https://ci.example.com/1' }, task_id: `${id}-notice` };
    expect(await sendCard(fake, notice, 'zhangsan')).toMatchObject({ errcode: 0 });
    await expect(fake.click({ userid: 'zhangsan', taskId: notice.task_id, eventKey: 'claim' })).rejects.toThrow("zhangsan's card (text_notice) has no button that calls back");
    // Through the control API: 400 with the reason, and nothing sent.
    const refused = await call(fake, '/__fake/click', { userid: 'lisi', taskId: id, eventKey: 'claim' });
    expect(refused).toMatchObject({ status: 400, body: { error: expect.stringContaining('lisi never got a card') } });
    expect(await call(fake, '/__fake/click', { userid: 'lisi', taskId: id })).toMatchObject({ status: 400, body: { error: '"eventKey" is required' } });
    expect(gateway.received).toHaveLength(0);
    // Member ids are case-insensitive in WeCom.
    expect((await call(fake, '/__fake/click', { userid: 'ZhangSan', taskId: id, eventKey: 'resolve' })).body).toMatchObject({ status: 200 });
    expect(gateway.received[0].event.FromUserName).toBe('zhangsan');
  });

  it('re-sends the identical request on request, as WeCom retries a slow answer', async () => {
    const result = await fake.click({ userid: 'zhangsan', taskId, eventKey: 'resolve', force: true, retries: 2 });
    expect(result.answers).toHaveLength(3);
    expect(gateway.received).toHaveLength(3);
    const [a, b, c] = gateway.received;
    expect(new Set([a.body, b.body, c.body]).size).toBe(1);
    expect(new Set([a.query.toString(), b.query.toString(), c.query.toString()]).size).toBe(1);
  });

  it("answers with the gateway's status and body, or why it got none", async () => {
    gateway.answer((_r, res) => res.writeHead(401, { 'content-type': 'text/plain' }).end('msg_signature does not match'));
    expect(await fake.click({ userid: 'zhangsan', taskId, eventKey: 'claim', force: true })).toMatchObject({ status: 401, body: 'msg_signature does not match' });
    gateway.answer((_r, res) => setTimeout(() => res.writeHead(200).end(), 400));
    const slow = await fake.click({ userid: 'zhangsan', taskId, eventKey: 'claim', force: true, timeoutMs: 100 });
    expect(slow).toMatchObject({ status: null, error: 'no answer within 100 ms (WeCom would retry)' });
  });

  it('decrypts an encrypted passive reply, and greys the buttons of the clicking member only', async () => {
    const third = buttonCard();
    const id = third.task_id as string;
    await sendCard(fake, third, 'zhangsan|lisi');
    gateway.answer((r, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end(passiveReply(`<xml><ToUserName><![CDATA[${r.event.FromUserName}]]></ToUserName><FromUserName><![CDATA[${CORP}]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[update_button]]></MsgType><Button><ReplaceName><![CDATA[已认领]]></ReplaceName></Button></xml>`)));
    const result = await fake.click({ userid: 'lisi', taskId: id, eventKey: 'claim' });
    expect(result.reply).toEqual({ signatureOk: true, xml: expect.stringContaining('<ReplaceName><![CDATA[已认领]]></ReplaceName>') });
    expect(fake.cardFor(id, 'lisi')).toMatchObject({ greyed: '已认领' });
    expect(fake.cardFor(id, 'zhangsan')!.greyed).toBeUndefined();
    // A reply signed with another token is reported, and changes nothing.
    gateway.answer((_r, res) => res.writeHead(200).end(passiveReply('<xml><MsgType><![CDATA[update_button]]></MsgType><Button><ReplaceName><![CDATA[x]]></ReplaceName></Button></xml>', 'otherToken')));
    expect((await fake.click({ userid: 'zhangsan', taskId: id, eventKey: 'claim' })).reply).toMatchObject({ signatureOk: false });
    expect(fake.cardFor(id, 'zhangsan')!.greyed).toBeUndefined();
  });

  it('refuses a click while no callback is set', async () => {
    fake.settings({ callback: null, callbackConfigured: true });
    try {
      await expect(fake.click({ userid: 'zhangsan', taskId, eventKey: 'claim' })).rejects.toThrow(/no callback is set/);
    } finally {
      fake.settings({ callback, callbackConfigured: null });
    }
  });
});
