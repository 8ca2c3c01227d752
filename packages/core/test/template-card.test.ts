import { describe, expect, it } from 'vitest';
import { actionableCard, CARD_BUTTONS, templateCardFor, type Alert, type Message } from '../src';

const sentry: Alert = {
  source: 'sentry', kind: 'issue.created', key: 'sentry:12345', idempotencyKey: 'a'.repeat(32), status: 'firing', severity: 'critical', level: 'error',
  title: 'ValueError in calculate_score', environment: 'production', service: 'recommendation-api', location: 'app.main.get_recommend',
  startsAt: '2025-10-31T04:30:45.000Z', count: 1, userCount: 15, url: 'https://trace.dianshudata.com/issues/12345', labels: {}, receivedAt: '2025-10-31T04:30:46.000Z',
};
const chars = (s: string) => [...s].length;
const message = (alert: Alert, extra: Partial<Extract<Message, { kind: 'alert' }>> = {}): Message => ({ kind: 'alert', alert, repeat: false, mentions: [], claimant: 'j', ...extra });

describe('the interactive card (template_card, button_interaction)', () => {
  it("carries the seed card's fields and the three buttons", () => {
    const card = templateCardFor(sentry, { taskId: 'ng-1', tz: 'Asia/Shanghai', totals: { count: 3, userCount: 15, firstSeen: '2025-10-31T04:30:45.000Z' }, link: 'https://gw.example.com/console/alerts/1?t=x' });
    expect(card).toMatchObject({
      card_type: 'button_interaction',
      source: { desc: 'Sentry', desc_color: 2 },
      main_title: { title: 'ValueError in calculate_score', desc: '🔥 ERROR · 🔴 未解决' },
      card_action: { type: 1, url: 'https://gw.example.com/console/alerts/1?t=x' },
      task_id: 'ng-1',
    });
    expect(card.horizontal_content_list).toEqual([
      { keyname: '环境', value: 'production' },
      { keyname: '服务', value: 'recommendation-api' },
      { keyname: '位置', value: 'app.main.get_recommend' },
      { keyname: '首次发现', value: '10-31 12:30' },
      { keyname: '发生次数', value: '3' },
      { keyname: '影响用户', value: '15' },
    ]);
    expect(card.button_list.map((b) => b.key)).toEqual(Object.values(CARD_BUTTONS).map((b) => b.key));
  });

  it("keeps within WeCom's advised lengths whatever the alert says, and links only http(s)", () => {
    const long = { ...sentry, title: 'X'.repeat(300), environment: '环'.repeat(100), service: 's\n'.repeat(100), summary: '摘'.repeat(500), url: 'javascript:alert(1)' };
    const card = templateCardFor(long, { taskId: 't', tz: 'Asia/Shanghai', escalation: 2 });
    expect(chars(card.main_title.title)).toBeLessThanOrEqual(36);
    expect(card.main_title.title.startsWith('⏫ 升级 2 · ')).toBe(true);
    expect(chars(card.sub_title_text!)).toBeLessThanOrEqual(160);
    expect(card.horizontal_content_list!.length).toBeLessThanOrEqual(6);
    for (const f of card.horizontal_content_list!) {
      expect(chars(f.keyname)).toBeLessThanOrEqual(5);
      expect(chars(f.value)).toBeLessThanOrEqual(30);
      expect(f.value).not.toContain('\n');
    }
    expect(card.card_action).toBeUndefined();
  });

  it('once claimed, the claim leads the text and the 认领 button is gone', () => {
    const card = actionableCard(message(sentry, { claim: { by: '张三', at: '2025-10-31T04:40:00Z' } }), { interactive: true, taskId: 't', tz: 'Asia/Shanghai' })!;
    expect(card.sub_title_text?.split('\n')[0]).toBe('✋ 已认领: 张三');
    expect(card.button_list.map((b) => b.text)).toEqual(['静默 1 小时', '已处理']);
  });

  it.each([
    ['a channel without a callback', message(sentry), false],
    ['a resolution', message({ ...sentry, status: 'resolved' }), true],
    ['an info alert', message({ ...sentry, severity: 'info' }), true],
    ['the test card', message({ ...sentry, source: 'test' }), true],
  ] as const)('%s gets the text card, not buttons', (_name, m, interactive) => {
    expect(actionableCard(m, { interactive, taskId: 't', tz: 'Asia/Shanghai' })).toBeUndefined();
  });
});
