import type { FakeWecom } from '../src/fake-wecom';

/** A clock the test moves (the fake's `now`). */
export function testClock(start = Date.UTC(2025, 5, 1, 8, 0, 0)) {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** One HTTP call to the fake, as a client would make it (GET without a body, POST with JSON). */
export async function call(fake: FakeWecom, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${fake.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    redirect: 'manual',
  });
  const text = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, headers: res.headers, body: isJson ? JSON.parse(text) : text };
}

export async function tokenOf(fake: FakeWecom): Promise<string> {
  const answer = await call(fake, `/cgi-bin/gettoken?corpid=${fake.corpId}&corpsecret=${fake.corpSecret}`);
  return answer.body.access_token;
}

let seq = 0;
/** A unique task id for a test's card. */
export const taskId = (name = 'task') => `${name}-${process.pid}-${++seq}`;

/** A button card like the gateway's alert card: title, fields, link, three buttons. */
export function buttonCard(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    card_type: 'button_interaction',
    source: { desc: 'Prometheus', desc_color: 2 },
    main_title: { title: 'CPU 95% on web-1', desc: '🔴 CRITICAL · 告警中' },
    sub_title_text: 'load has been high for 10 minutes',
    horizontal_content_list: [
      { keyname: '环境', value: 'production' },
      { keyname: '服务', value: 'api' },
    ],
    card_action: { type: 1, url: 'https://console.example.com/problems/1' },
    task_id: taskId(),
    button_list: [
      { text: '认领', style: 1, key: 'claim' },
      { text: '静默 1 小时', style: 2, key: 'silence_1h' },
      { text: '已处理', style: 3, key: 'resolve' },
    ],
    ...over,
  };
}

/** message/send with a template card; the whole answer body. */
export async function sendCard(fake: FakeWecom, card: unknown, touser = 'zhangsan|lisi', extra: Record<string, unknown> = {}) {
  const token = await tokenOf(fake);
  return (await call(fake, `/cgi-bin/message/send?access_token=${token}`, { touser, msgtype: 'template_card', agentid: fake.agentId, template_card: card, ...extra })).body;
}

/** message/update_template_card; the whole answer body. */
export async function updateCard(fake: FakeWecom, body: Record<string, unknown>) {
  const token = await tokenOf(fake);
  return (await call(fake, `/cgi-bin/message/update_template_card?access_token=${token}`, { agentid: fake.agentId, ...body })).body;
}
