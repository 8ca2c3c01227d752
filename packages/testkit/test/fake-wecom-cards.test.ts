import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeWecom, type FakeWecom } from '../src/fake-wecom';
import { buttonCard, call, sendCard, taskId, testClock, tokenOf, updateCard } from './support';

const CALLBACK = { url: 'http://127.0.0.1:9/webhook/wecom', token: 'cardsToken1', aesKey: 'jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C' };

/** A card with one field changed: `path` is dotted, `value` undefined deletes it. */
function cardWith(path: string, value: unknown): Record<string, unknown> {
  const card = buttonCard();
  const keys = path.split('.');
  let at = card as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) at = at[k] as Record<string, unknown>;
  if (value === undefined) delete at[keys[keys.length - 1]];
  else at[keys[keys.length - 1]] = value;
  return card;
}

const buttons = (n: number) => Array.from({ length: n }, (_, i) => ({ text: `b${i}`, key: `k${i}` }));
const lines = (n: number) => Array.from({ length: n }, (_, i) => ({ keyname: `k${i}`, value: `v${i}` }));
const textNotice = (over: Record<string, unknown> = {}) => ({ card_type: 'text_notice', main_title: { title: '发布完成' }, card_action: { type: 1, url: 'https://ci.example.com/1' }, ...over });

describe('the fake WeCom: template cards on message/send', () => {
  let fake: FakeWecom;
  beforeAll(async () => {
    fake = await startFakeWecom({ callback: CALLBACK });
  });
  afterAll(() => fake.close());

  // Each hard rule of reference/wecom-callbacks.md §3, and the errcode the fake answers for it.
  const refused: Array<[string, unknown, number]> = [
    ['no template_card', undefined, 40063],
    ['no card_type', cardWith('card_type', undefined), 40063],
    ['a card type the fake does not model', cardWith('card_type', 'vote_interaction'), 40058],
    ['an unknown card type', cardWith('card_type', 'fancy'), 40058],
    ['no main_title', cardWith('main_title', undefined), 40063],
    ['an empty main_title.title', cardWith('main_title.title', ''), 40063],
    ['a title that is not a string', cardWith('main_title.title', 42), 40058],
    ['no button_list', cardWith('button_list', undefined), 40063],
    ['an empty button_list', cardWith('button_list', []), 40063],
    ['7 buttons', cardWith('button_list', buttons(7)), 40058],
    ['a button without text', cardWith('button_list', [{ key: 'a' }]), 42020],
    ['a callback button without key', cardWith('button_list', [{ text: 'a' }]), 42019],
    ['a key of 1025 bytes', cardWith('button_list', [{ text: 'a', key: 'k'.repeat(1025) }]), 42018],
    ['a key of 1026 bytes in 513 characters', cardWith('button_list', [{ text: 'a', key: 'é'.repeat(513) }]), 42018],
    ['two buttons with one key', cardWith('button_list', [{ text: 'a', key: 'same' }, { text: 'b', key: 'same' }]), 42018],
    ['a url button without url', cardWith('button_list', [{ text: 'a', type: 1 }]), 40063],
    ['a button style 5', cardWith('button_list', [{ text: 'a', key: 'a', style: 5 }]), 40058],
    ['no task_id', cardWith('task_id', undefined), 42014],
    ['a task_id with a space', cardWith('task_id', 'task 1'), 42014],
    ['a task_id in Chinese', cardWith('task_id', '任务1'), 42014],
    ['a task_id of 129 bytes', cardWith('task_id', 't'.repeat(129)), 42014],
    ['7 horizontal lines', cardWith('horizontal_content_list', lines(7)), 40058],
    ['a horizontal line without keyname', cardWith('horizontal_content_list', [{ value: 'x' }]), 40063],
    ['a link line without url', cardWith('horizontal_content_list', [{ keyname: 'a', value: 'x', type: 1 }]), 40063],
    ['a member line without userid', cardWith('horizontal_content_list', [{ keyname: 'a', value: 'x', type: 3 }]), 40063],
    ['a quote linking nowhere', cardWith('quote_area', { type: 1, quote_text: 'x' }), 40063],
    ['a card_action to a mini program without appid', cardWith('card_action', { type: 2 }), 40063],
    ['an action_menu of 4 actions', cardWith('action_menu', { desc: 'm', action_list: buttons(4) }), 40058],
    ['a text_notice without card_action', textNotice({ card_action: undefined }), 40063],
    ['a text_notice without title or sub title', textNotice({ main_title: {} }), 40063],
    ['a text_notice with 4 jumps', textNotice({ jump_list: [1, 2, 3, 4].map((i) => ({ type: 1, title: `j${i}`, url: 'https://x.example' })) }), 40058],
    ['a text_notice with an action_menu but no task_id', textNotice({ action_menu: { action_list: [{ text: 'a', key: 'a' }] } }), 42014],
  ];

  it.each(refused)('refuses %s (errcode %i)', async (_what, card, errcode) => {
    const before = fake.messages.length;
    expect(await sendCard(fake, card)).toMatchObject({ errcode });
    expect(fake.messages.length).toBe(before);
  });

  const accepted: Array<[string, unknown]> = [
    ['a key of exactly 1024 bytes', cardWith('button_list', [{ text: 'a', key: 'k'.repeat(1024) }])],
    ['a task_id of exactly 128 bytes of every allowed character', cardWith('task_id', `aZ09_-@${'x'.repeat(121)}`)],
    ['6 buttons', cardWith('button_list', buttons(6))],
    ['6 horizontal lines', cardWith('horizontal_content_list', lines(6))],
    ['a url button without key', cardWith('button_list', [{ text: '打开', type: 1, url: 'https://x.example' }, { text: 'b', key: 'b' }])],
    ['a text_notice without task_id', textNotice()],
  ];

  it.each(accepted)('accepts %s', async (_what, card) => {
    expect(await sendCard(fake, card)).toMatchObject({ errcode: 0 });
  });

  it('records the card as text, its JSON, task id and recipients; a response_code only for button cards', async () => {
    const card = buttonCard();
    const answer = await sendCard(fake, card, 'zhangsan|lisi');
    expect(answer).toMatchObject({ errcode: 0, errmsg: 'ok', invaliduser: '' });
    expect(answer.response_code).toEqual(expect.any(String));
    const m = fake.messages.at(-1)!;
    expect(m).toMatchObject({ api: 'app', msgtype: 'template_card', taskId: card.task_id, recipients: ['zhangsan', 'lisi'], card, warnings: [] });
    expect(m.content).toBe(
      ['【Prometheus】', 'CPU 95% on web-1', '🔴 CRITICAL · 告警中', 'load has been high for 10 minutes', '环境: production', '服务: api', '→ https://console.example.com/problems/1', '[认领] [静默 1 小时] [已处理]'].join('\n'),
    );
    const listed = await call(fake, '/__fake/messages');
    expect(listed.body).toContain(`app message (template_card) to touser=zhangsan|lisi task_id=${card.task_id}\n【Prometheus】\nCPU 95% on web-1`);
    expect((await sendCard(fake, textNotice())).response_code).toBeUndefined();
  });

  it('accepts advisory lengths over WeCom advice with a warning each, and none at the advice', async () => {
    const long = buttonCard({
      main_title: { title: '标'.repeat(37), desc: 'd'.repeat(45) },
      sub_title_text: 's'.repeat(161),
      horizontal_content_list: [{ keyname: '六个字的键名', value: 'v'.repeat(31) }],
      button_list: [{ text: '十一个字的按钮文字啊啊啊', key: 'k' }],
      source: { desc: 'x'.repeat(21) },
    });
    expect(await sendCard(fake, long)).toMatchObject({ errcode: 0 });
    expect(fake.messages.at(-1)!.warnings).toEqual([
      'source.desc is 21 characters; WeCom advises at most 20 (it cuts the rest)',
      'main_title.title is 37 characters; WeCom advises at most 36 (it cuts the rest)',
      'main_title.desc is 45 characters; WeCom advises at most 44 (it cuts the rest)',
      'sub_title_text is 161 characters; WeCom advises at most 160 (it cuts the rest)',
      'horizontal_content_list[0].keyname is 6 characters; WeCom advises at most 5 (it cuts the rest)',
      'horizontal_content_list[0].value is 31 characters; WeCom advises at most 30 (it cuts the rest)',
      'button_list[0].text is 12 characters; WeCom advises at most 10 (it cuts the rest)',
    ]);
    const atAdvice = buttonCard({ main_title: { title: '标'.repeat(36), desc: 'd'.repeat(44) }, sub_title_text: 's'.repeat(160), horizontal_content_list: [{ keyname: '五个字键名', value: 'v'.repeat(30) }] });
    expect(await sendCard(fake, atAdvice)).toMatchObject({ errcode: 0 });
    expect(fake.messages.at(-1)!.warnings).toEqual([]);
    expect((await fake.stats()).messages.at(-1)).not.toHaveProperty('warnings');
  });

  it('refuses a task_id used before by the app, even for another card type, but not one whose send was refused', async () => {
    const id = taskId('reuse');
    expect(await sendCard(fake, buttonCard({ task_id: id, button_list: [] }))).toMatchObject({ errcode: 40063 });
    expect(await sendCard(fake, buttonCard({ task_id: id }))).toMatchObject({ errcode: 0 });
    expect(await sendCard(fake, buttonCard({ task_id: id }))).toMatchObject({ errcode: 42014, errmsg: expect.stringContaining('was used before') });
    expect(await sendCard(fake, textNotice({ task_id: id }))).toMatchObject({ errcode: 42014 });
  });

  it('with enable_duplicate_check, the same request again is answered as the first and not delivered (a retried send)', async () => {
    const card = buttonCard({ task_id: taskId('retry') });
    const checked = { enable_duplicate_check: 1, duplicate_check_interval: 1800 };
    const before = fake.messages.length;
    const first = await sendCard(fake, card, 'zhangsan', checked);
    expect(first).toMatchObject({ errcode: 0, response_code: expect.any(String) });
    expect(await sendCard(fake, card, 'zhangsan', checked)).toEqual(first);
    expect(fake.messages.length).toBe(before + 1);
    // Without the check, the same task_id is a reuse.
    expect(await sendCard(fake, card, 'zhangsan')).toMatchObject({ errcode: 42014 });
  });

  it('keeps the envelope checks of message/send: token, agent id, recipients', async () => {
    const token = await tokenOf(fake);
    const send = (query: string, body: Record<string, unknown>) => call(fake, `/cgi-bin/message/send?${query}`, { touser: 'zhangsan', msgtype: 'template_card', agentid: fake.agentId, template_card: buttonCard(), ...body });
    expect((await send('', {})).body.errcode).toBe(41001);
    expect((await send(`access_token=${token}`, { agentid: 1 })).body.errcode).toBe(40056);
    expect((await send(`access_token=${token}`, { touser: undefined })).body.errcode).toBe(82001);
    expect((await send(`access_token=${token}`, { touser: 'zhangsan|ghost-1' })).body).toMatchObject({ errcode: 0, invaliduser: 'ghost-1' });
  });
});

describe('the fake WeCom: the app callback a button card needs (43012)', () => {
  it('refuses button cards without a callback, accepts them once one is set or declared, and refuses them when declared missing', async () => {
    const fake = await startFakeWecom();
    try {
      expect(await sendCard(fake, buttonCard())).toMatchObject({ errcode: 43012 });
      // A text notice without a menu does not call back.
      expect(await sendCard(fake, textNotice())).toMatchObject({ errcode: 0 });
      expect(await sendCard(fake, textNotice({ task_id: taskId(), action_menu: { action_list: [{ text: '不再提醒', key: 'mute' }] } }))).toMatchObject({ errcode: 43012 });
      fake.settings({ callbackConfigured: true });
      expect(await sendCard(fake, buttonCard())).toMatchObject({ errcode: 0 });
      fake.settings({ callbackConfigured: null, callback: CALLBACK });
      expect(await sendCard(fake, buttonCard())).toMatchObject({ errcode: 0 });
      expect((await call(fake, '/__fake/settings', { callbackConfigured: false })).status).toBe(200);
      expect(await sendCard(fake, buttonCard())).toMatchObject({ errcode: 43012 });
    } finally {
      await fake.close();
    }
  });
});

describe('the fake WeCom: response codes and update_template_card', () => {
  const clock = testClock();
  let fake: FakeWecom;
  beforeAll(async () => {
    fake = await startFakeWecom({ callback: CALLBACK, now: clock.now, tokenTtlSec: 7 * 24 * 3600 });
  });
  afterAll(() => fake.close());

  it('takes a response code once', async () => {
    const card = buttonCard();
    const { response_code: code } = await sendCard(fake, card);
    const claimed = { ...card, sub_title_text: '✋ 已认领: 张三 10:32', button_list: (card.button_list as unknown[]).slice(1) };
    expect(await updateCard(fake, { atall: 1, response_code: code, template_card: claimed })).toMatchObject({ errcode: 0, invaliduser: [] });
    expect(await updateCard(fake, { atall: 1, response_code: code, button: { replace_name: '已处理' } })).toMatchObject({ errcode: 60140, errmsg: expect.stringContaining('used before') });
    expect(await updateCard(fake, { atall: 1, response_code: 'never-issued', button: { replace_name: 'x' } })).toMatchObject({ errcode: 60140 });
    expect(await updateCard(fake, { atall: 1, button: { replace_name: 'x' } })).toMatchObject({ errcode: 40063 });
    expect(fake.cardFor(card.task_id as string, 'lisi')!.text).toContain('✋ 已认领: 张三 10:32\n');
  });

  it('takes a response code until 72 hours after it was issued, by the fake clock', async () => {
    const first = await sendCard(fake, buttonCard());
    const second = await sendCard(fake, buttonCard());
    clock.advance(72 * 3600 * 1000 - 1);
    expect(await updateCard(fake, { atall: 1, response_code: first.response_code, button: { replace_name: '已处理' } })).toMatchObject({ errcode: 0 });
    clock.advance(1);
    expect(await updateCard(fake, { atall: 1, response_code: second.response_code, button: { replace_name: '已处理' } })).toMatchObject({ errcode: 60140, errmsg: expect.stringContaining('72 hours') });
  });

  it('changes the card for everyone (atall) or for the members named (userids), each member seeing their own', async () => {
    const card = buttonCard();
    const id = card.task_id as string;
    const { response_code: code } = await sendCard(fake, card, 'zhangsan|lisi|wangwu');
    const mine = { ...card, sub_title_text: '只有张三看到这一版' };
    expect(await updateCard(fake, { userids: ['zhangsan', 'nobody'], response_code: code, template_card: mine })).toMatchObject({ errcode: 0, invaliduser: ['nobody'] });
    expect(fake.cardFor(id, 'zhangsan')!.text).toContain('只有张三看到这一版');
    expect(fake.cardFor(id, 'lisi')!.text).toBe(fake.cardFor(id, 'wangwu')!.text);
    expect(fake.cardFor(id, 'lisi')!.text).not.toContain('只有张三看到这一版');
    expect(fake.cardFor(id, 'nobody')).toBeUndefined();
    expect(fake.updates.at(-1)).toMatchObject({ taskId: id, affected: ['zhangsan'] });
    // The whole card in WeCom's own JSON, and as text, per member.
    const cards = (await call(fake, '/__fake/cards')).body;
    expect(cards[id].cardType).toBe('button_interaction');
    expect(Object.keys(cards[id].recipients)).toEqual(['zhangsan', 'lisi', 'wangwu']);
    expect(cards[id].recipients.zhangsan.card.sub_title_text).toBe('只有张三看到这一版');
    expect(cards[id].recipients.lisi.text).toContain('[认领] [静默 1 小时] [已处理]');
  });

  it('greys every button with button.replace_name, which only button cards take', async () => {
    const card = buttonCard();
    const { response_code: code } = await sendCard(fake, card, 'zhangsan|lisi');
    expect(await updateCard(fake, { atall: 1, response_code: code, button: {} })).toMatchObject({ errcode: 40063 });
    expect(await updateCard(fake, { atall: 1, response_code: code, button: { replace_name: 'x' }, template_card: card })).toMatchObject({ errcode: 40058 });
    expect(await updateCard(fake, { atall: 1, response_code: code })).toMatchObject({ errcode: 40058 });
    expect(await updateCard(fake, { response_code: code, button: { replace_name: 'x' } })).toMatchObject({ errcode: 82001 });
    expect(await updateCard(fake, { userids: 'zhangsan', response_code: code, button: { replace_name: 'x' } })).toMatchObject({ errcode: 40058 });
    expect(await updateCard(fake, { atall: 1, response_code: code, button: { replace_name: '✅ 已处理: 张三' } })).toMatchObject({ errcode: 0 });
    for (const who of ['zhangsan', 'lisi']) {
      expect(fake.cardFor(card.task_id as string, who)).toMatchObject({ greyed: '✅ 已处理: 张三', text: expect.stringMatching(/\n\[✅ 已处理: 张三\] \(greyed out\)$/) });
    }
  });

  it('checks the new card as a sent one, and keeps the task', async () => {
    const card = buttonCard();
    const { response_code: code } = await sendCard(fake, card);
    expect(await updateCard(fake, { atall: 1, response_code: code, template_card: { ...card, button_list: buttons(7) } })).toMatchObject({ errcode: 40058 });
    expect(await updateCard(fake, { atall: 1, response_code: code, template_card: { ...card, task_id: 'another-task' } })).toMatchObject({ errcode: 42014 });
    // A refused update does not spend the code; the task id may be left out of the new card.
    const { task_id: _dropped, ...withoutTask } = card;
    expect(await updateCard(fake, { atall: 1, response_code: code, template_card: { ...withoutTask, main_title: { title: 't'.repeat(40) } } })).toMatchObject({ errcode: 0 });
    expect(fake.updates.at(-1)!.warnings).toEqual(['main_title.title is 40 characters; WeCom advises at most 36 (it cuts the rest)']);
  });

  it('keeps the token and agent checks, and counts the calls', async () => {
    const { response_code: code } = await sendCard(fake, buttonCard());
    const before = fake.updateCalls;
    expect((await call(fake, '/cgi-bin/message/update_template_card', { agentid: fake.agentId, atall: 1, response_code: code, button: { replace_name: 'x' } })).body.errcode).toBe(41001);
    expect(await updateCard(fake, { agentid: 7, atall: 1, response_code: code, button: { replace_name: 'x' } })).toMatchObject({ errcode: 40056 });
    fake.script('update', [{ errcode: -1 }]);
    expect(await updateCard(fake, { atall: 1, response_code: code, button: { replace_name: 'x' } })).toMatchObject({ errcode: -1 });
    expect(await updateCard(fake, { atall: 1, response_code: code, button: { replace_name: 'x' } })).toMatchObject({ errcode: 0 });
    expect(fake.updateCalls - before).toBe(4);
    expect((await call(fake, '/__fake/stats')).body.updateCalls).toBe(fake.updateCalls);
  });
});
