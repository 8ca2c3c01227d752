import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUEUE_NAMES, createRedis, wecomEncrypt, wecomKey, wecomSignature } from '@ng/core';
import { REDIS_URL, startTestIngest } from './support';

const CORP = 'ww-test-corp';
const TOKEN = 'QDG6eK';
const AES_KEY = 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C';
const key = wecomKey(AES_KEY);
const now = () => Math.floor(Date.now() / 1000);

/** What WeCom sends: the event encrypted for a corp, signed with a token, at a time. */
function envelope(inner: string, opts: { corp?: string; token?: string; timestamp?: number; encrypted?: string } = {}) {
  const encrypted = opts.encrypted ?? wecomEncrypt(key, inner, opts.corp ?? CORP);
  const timestamp = String(opts.timestamp ?? now());
  const nonce = randomBytes(6).toString('hex');
  const signature = wecomSignature(opts.token ?? TOKEN, timestamp, nonce, encrypted);
  return { query: `msg_signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`, body: `<xml><ToUserName><![CDATA[${CORP}]]></ToUserName><Encrypt><![CDATA[${encrypted}]]></Encrypt><AgentID>1000002</AgentID></xml>` };
}
const click = (opts: { user?: string; task?: string; to?: string; createTime?: number } = {}) =>
  `<xml><ToUserName><![CDATA[${opts.to ?? CORP}]]></ToUserName><FromUserName><![CDATA[${opts.user ?? 'zhangsan'}]]></FromUserName><CreateTime>${opts.createTime ?? now()}</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event><EventKey><![CDATA[ng:claim]]></EventKey><TaskId><![CDATA[${opts.task ?? 'ng-1'}]]></TaskId><CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[code-${randomBytes(4).toString('hex')}]]></ResponseCode><AgentID>1000002</AgentID></xml>`;

describe('the WeCom callback (/webhook/wecom)', () => {
  let ingest: Awaited<ReturnType<typeof startTestIngest>>;
  let actions: Queue;
  const connection = createRedis(REDIS_URL, 'worker');
  const post = (e: { query: string; body: string }) => fetch(`${ingest.base}/webhook/wecom?${e.query}`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: e.body });
  const actionJobs = async () => (await actions.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])).length;
  const rejections = async (reason: string) => {
    const text = await (await fetch(`${ingest.base}/metrics`)).text();
    return Number(new RegExp(`ng_callback_rejections_total\\{reason="${reason}"[^}]*\\} (\\d+)`).exec(text)?.[1] ?? 0);
  };

  beforeAll(async () => {
    ingest = await startTestIngest({ WEIXIN_CORP_ID: CORP, WEIXIN_CORP_SECRET: 'secret', WEIXIN_AGENT_ID: '1000002', WEIXIN_CALLBACK_TOKEN: TOKEN, WEIXIN_CALLBACK_AES_KEY: AES_KEY, ADMIN_ALLOW_OPEN: 'true' });
    actions = new Queue(QUEUE_NAMES.actions, { connection, prefix: ingest.config.queuePrefix });
  });
  afterAll(async () => {
    await actions.close();
    connection.disconnect();
    await ingest.close();
  });

  it('GET with fresh values answers the plaintext echostr and nothing else', async () => {
    const echo = '1616140317555161061';
    const encrypted = wecomEncrypt(key, echo, CORP);
    const timestamp = String(now());
    const signature = wecomSignature(TOKEN, timestamp, 'n1', encrypted);
    const res = await fetch(`${ingest.base}/webhook/wecom?msg_signature=${signature}&timestamp=${timestamp}&nonce=n1&echostr=${encodeURIComponent(encrypted)}`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(echo);
  });

  it("WeCom's published GET example (2014) is refused as stale: live requests get the freshness check", async () => {
    const res = await fetch(`${ingest.base}/webhook/wecom?msg_signature=5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3&timestamp=1409659589&nonce=263014780&echostr=P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D`);
    expect(res.status).toBe(403);
  });

  it('a click is queued once as an action; WeCom retrying it is answered 200 and counted as a replay', async () => {
    const before = await actionJobs();
    const e = envelope(click({ task: 'ng-42' }));
    const first = await post(e);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('');
    const jobs = await actions.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed']);
    expect(jobs).toHaveLength(before + 1);
    expect(jobs.find((j) => j.data.taskId === 'ng-42')?.data).toMatchObject({ via: 'wecom', userId: 'zhangsan', eventKey: 'ng:claim', taskId: 'ng-42' });
    const replays = await rejections('replay');
    expect((await post(e)).status).toBe(200);
    expect(await actionJobs()).toBe(before + 1);
    expect(await rejections('replay')).toBe(replays + 1);
  });

  const hostile = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><xml><Encrypt>&lol2;</Encrypt></xml>`;
  const table: Array<[string, () => { query: string; body: string }, number, string]> = [
    ['a bad signature (another token)', () => envelope(click(), { token: 'other-token' }), 401, 'bad_signature'],
    ['another corp id (encrypted for ww-other)', () => envelope(click(), { corp: 'ww-other' }), 400, 'wrong_receiver'],
    ['an event addressed to another corp inside', () => envelope(click({ to: 'ww-other' })), 400, 'wrong_receiver'],
    ['a stale timestamp (6 minutes old)', () => envelope(click(), { timestamp: now() - 360 }), 403, 'stale'],
    ['a timestamp from the future', () => envelope(click(), { timestamp: now() + 600 }), 403, 'stale'],
    ['no signature', () => ({ ...envelope(click()), query: `timestamp=${now()}&nonce=x` }), 400, 'missing_params'],
    ['malformed XML', () => ({ ...envelope(click()), body: '<xml><Encrypt>abc</Encrypt' }), 400, 'bad_xml'],
    ['entity declarations (billion laughs)', () => ({ ...envelope(click()), body: hostile }), 400, 'bad_xml'],
    ['no <Encrypt>', () => ({ ...envelope(click()), body: '<xml><ToUserName>x</ToUserName></xml>' }), 400, 'bad_xml'],
    ['ciphertext that does not decrypt (signed all the same)', () => envelope('', { encrypted: randomBytes(64).toString('base64') }), 400, 'bad_ciphertext'],
    ['malformed XML inside the envelope', () => envelope('<xml><FromUserName>zhangsan'), 400, 'bad_xml'],
  ];
  it.each(table)('%s → %i, nothing changed', async (_name, make, status, reason) => {
    const [jobsBefore, rejectedBefore] = [await actionJobs(), await rejections(reason)];
    const res = await post(make());
    expect(res.status).toBe(status);
    expect(await actionJobs()).toBe(jobsBefore);
    expect(await rejections(reason)).toBe(rejectedBefore + 1);
    expect(ingest.log()).toContain(`"reason":"${reason}"`);
  });

  it('a huge body → 413, nothing changed', async () => {
    const before = await actionJobs();
    const e = envelope(click());
    const res = await post({ ...e, body: `<xml><Encrypt>${'A'.repeat(100_000)}</Encrypt></xml>` });
    expect(res.status).toBe(413);
    expect(await actionJobs()).toBe(before);
  });

  it('without WEIXIN_CALLBACK_* the endpoint says it is not configured (404)', async () => {
    const bare = await startTestIngest();
    try {
      const res = await fetch(`${bare.base}/webhook/wecom?${envelope(click()).query}`, { method: 'POST', body: '<xml/>' });
      expect(res.status).toBe(404);
      expect(await res.text()).toContain('WEIXIN_CALLBACK_TOKEN');
    } finally {
      await bare.close();
    }
  });
});
