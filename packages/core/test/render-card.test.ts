import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { byteLength, formatDuration, formatTime, MAX_PARTS, normalizeGrafana, renderAlert, testAlert, type Alert, type RenderOptions } from '../src';

/** The two code blocks of the seed's section 4 (消息格式示例), byte for byte. */
function seedCards(): [string, string] {
  const guide = fs.readFileSync(path.join(__dirname, 'fixtures/seed-guide.md'), 'utf8');
  const section = guide.slice(guide.indexOf('### 4.'), guide.indexOf('### 5.'));
  const blocks = [...section.matchAll(/```\n([\s\S]*?)\n```/g)].map((m) => m[1]);
  expect(blocks).toHaveLength(2);
  return [blocks[0], blocks[1]];
}

// The seed's example data (section 4); 12:30:45 in Asia/Shanghai is 04:30:45Z.
const seedSentry: Alert = {
  source: 'sentry', kind: 'issue.created', key: 'sentry:12345', idempotencyKey: '0'.repeat(32), status: 'firing',
  severity: 'critical', level: 'error', title: 'ValueError in calculate_score', environment: 'production',
  service: 'recommendation-api', location: 'app.main.get_recommend', startsAt: '2025-10-31T04:30:45Z', count: 1,
  userCount: 15, url: 'https://trace.dianshudata.com/issues/12345', labels: {}, receivedAt: '2025-10-31T04:30:46Z',
};
const seedAm: Alert = {
  source: 'alertmanager', kind: 'alertmanager', key: 'am:1', idempotencyKey: '1'.repeat(32), status: 'firing',
  severity: 'critical', level: 'critical', title: 'RedisConnectionFailed', instance: 'redis:6379', job: 'redis-exporter',
  startsAt: '2025-10-31T04:35:00Z', summary: 'Redis 连接失败', description: 'Redis 服务不可用，推荐系统将降级运行',
  labels: {}, receivedAt: '2025-10-31T04:35:00Z',
};
const grafanaFixture = (name: string): Alert => normalizeGrafana(JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures/grafana', name), 'utf8')), new Date('2026-11-24T01:13:00Z'))[0];
const text: RenderOptions = { format: 'text', budgetBytes: 2048, tz: 'Asia/Shanghai', now: new Date('2025-10-31T05:00:00Z') };
const markdown: RenderOptions = { ...text, format: 'markdown', budgetBytes: 4096 };

const one = (alert: Alert, opts: RenderOptions = text): string => {
  const parts = renderAlert(alert, opts);
  expect(parts).toHaveLength(1);
  return parts[0];
};
const firstLine = (s: string) => s.split('\n')[0];

describe('the seed cards (section 4)', () => {
  const [sentryBlock, amBlock] = seedCards();

  it('Sentry card, byte for byte', () => {
    expect(renderAlert(seedSentry, text)).toEqual([sentryBlock]);
  });

  it('Alertmanager card, byte for byte', () => {
    expect(renderAlert(seedAm, text)).toEqual([amBlock]);
  });

  it('the same cards on every budget WeCom has (2048 app, 2048/4096 robot)', () => {
    for (const budgetBytes of [2048, 4096]) {
      expect(renderAlert(seedSentry, { ...text, budgetBytes })).toEqual([sentryBlock]);
      expect(renderAlert(seedAm, { ...text, budgetBytes })).toEqual([amBlock]);
    }
  });

  it('markdown: the same content, coloured header, quoted lines, a real link, mentions at the end', () => {
    expect(one(seedSentry, { ...markdown, mentions: ['zhangsan', 'lisi'] })).toBe(
      [
        '<font color="warning">**🆕 [Sentry 应用告警] ValueError in calculate_score**</font>',
        '━━━━━━━━━━━━━━━━',
        '> 🔥 级别: ERROR',
        '> 🏷️  来源: Sentry',
        '> 📍 环境: production',
        '> 🖥️  服务: recommendation-api',
        '> 📝 位置: app.main.get_recommend',
        '> ⏰ 首次发现: 2025-10-31 12:30:45',
        '> 📊 状态: 🔴 未解决',
        '> 🔢 发生次数: 1',
        '> 👥 影响用户: 15',
        '',
        '🔗 详情: [trace.dianshudata.com/issues/12345](https://trace.dianshudata.com/issues/12345)', // one visible URL per link
        '<@zhangsan> <@lisi>',
        '━━━━━━━━━━━━━━━━',
      ].join('\n'),
    );
  });
});

describe('Grafana cards', () => {
  const grafanaText = { ...text, now: new Date('2026-11-24T01:40:00Z') };
  it('firing: the rule card with the value, and its panel as the link (fixtures/grafana/firing.card.txt)', () => {
    const expected = fs.readFileSync(path.join(__dirname, 'fixtures/grafana/firing.card.txt'), 'utf8').trimEnd();
    expect(one(grafanaFixture('firing.json'), grafanaText)).toBe(expected);
  });
  it('resolved: when it recovered and how long it lasted', () => {
    const lines = one(grafanaFixture('resolved.json'), grafanaText).split('\n');
    expect(lines[0]).toBe('✅ [RESOLVED] HighMemoryUsage');
    expect(lines).toContain('✅ 恢复时间: 2026-11-24 09:31:00');
    expect(lines).toContain('⏱️ 持续时间: 19分');
  });
  it('no data: named after the rule, no value line, the panel linked', () => {
    const card = one(grafanaFixture('no-data.json'), grafanaText);
    expect(card.split('\n')[0]).toBe('🔥 [FIRING] API p99 latency (无数据)');
    expect(card).toContain('⚠️ 严重程度: WARNING');
    expect(card).not.toContain('📈');
    expect(card).toContain('🔗 详情: https://grafana.example.com/d/payments-api?orgId=1&viewPanel=4');
  });
});

describe('headers, status words and level lines', () => {
  const resolvedAt = { endsAt: '2025-10-31T06:35:00Z' };
  it.each<[string, Alert, Partial<RenderOptions>, string, string | undefined]>([
    ['Sentry, new problem', seedSentry, {}, '🆕 [Sentry 应用告警] ValueError in calculate_score', '📊 状态: 🔴 未解决'],
    ['Sentry, reminder', seedSentry, { repeat: true }, '🔁 [Sentry 应用告警] ValueError in calculate_score', '📊 状态: 🔴 未解决'],
    ['Sentry, regression', { ...seedSentry, status: 'unresolved' }, {}, '🔄 [Sentry 问题复发] ValueError in calculate_score', '📊 状态: 🔴 未解决 (复发)'],
    ['Sentry, resolved', { ...seedSentry, status: 'resolved', ...resolvedAt }, {}, '✅ [Sentry 已解决] ValueError in calculate_score', '📊 状态: ✅ 已解决'],
    ['Sentry, ignored', { ...seedSentry, status: 'ignored' }, {}, '🔕 [Sentry 已忽略] ValueError in calculate_score', '📊 状态: 🔕 已忽略'],
    ['Sentry, assigned', { ...seedSentry, status: 'assigned', labels: { assignee: 'zhangsan' } }, {}, '👤 [Sentry 已指派] ValueError in calculate_score', '👤 处理人: zhangsan'],
    ['Alertmanager, firing', seedAm, {}, '🔥 [FIRING] RedisConnectionFailed', '🚨 严重程度: CRITICAL'],
    ['Alertmanager, resolved', { ...seedAm, status: 'resolved', ...resolvedAt }, {}, '✅ [RESOLVED] RedisConnectionFailed', '✅ 恢复时间: 2025-10-31 14:35:00'],
    ['Alertmanager warning', { ...seedAm, severity: 'warning', level: 'warning' }, {}, '🔥 [FIRING] RedisConnectionFailed', '⚠️ 严重程度: WARNING'],
    ['Alertmanager info', { ...seedAm, severity: 'info', level: 'info' }, {}, '🔥 [FIRING] RedisConnectionFailed', 'ℹ️ 严重程度: INFO'],
    ['Sentry fatal', { ...seedSentry, level: 'fatal' }, {}, '🆕 [Sentry 应用告警] ValueError in calculate_score', '🔥 级别: FATAL'],
    ['Sentry warning', { ...seedSentry, level: 'warning', severity: 'info' }, {}, '🆕 [Sentry 应用告警] ValueError in calculate_score', '⚠️ 级别: WARNING'],
    ['gateway test', { ...seedAm, source: 'test', title: '测试告警', summary: '链路正常' }, {}, '🧪 [测试消息] 测试告警', '🏷️  来源: Gateway'],
  ])('%s', (_name, alert, opts, header, line) => {
    const card = one(alert, { ...text, ...opts });
    expect(firstLine(card)).toBe(header);
    if (line) expect(card.split('\n')).toContain(line);
  });
});

describe('the test card (POST /test) says where it went', () => {
  const alert = testAlert(new Date('2025-10-31T04:30:45Z'), 'nonce');
  it.each<[string, RenderOptions['destination'], string | undefined, string]>([
    ['to the WeCom app', { kind: 'wecom-app', id: 'app' }, '📤 发往: 企业微信应用 app', '收到即说明 Webhook → 队列 → 企业微信 整条链路正常。'],
    ['to a group robot', { kind: 'wecom-robot', id: 'robot-1' }, '📤 发往: 企业微信群机器人 robot-1', '收到即说明 Webhook → 队列 → 企业微信 整条链路正常。'],
    ['to the log (dry run)', { kind: 'log', id: 'log' }, '📤 发往: 网关日志 (演练模式 dry run) log', '演练模式：这条消息只写入了网关日志，没有发往企业微信。设置 WEIXIN_* 后重启，才会真正发送。'],
    ['not told', undefined, undefined, '这是一条测试消息：它出现在哪里，就说明 Webhook → 队列 → 发送 已通到了哪里。'],
  ])('%s', (_name, destination, line, outcome) => {
    const lines = one(alert, { ...text, destination }).split('\n');
    expect(lines[0]).toBe('🧪 [测试消息] 测试告警 (notification-gateway)');
    expect(lines.filter((l) => l.startsWith('📤'))).toEqual(line ? [line] : []);
    expect(lines).toContain(outcome);
    // Only a copy that reached WeCom claims the whole path works.
    expect(lines.some((l) => l.includes('整条链路正常'))).toBe(destination?.kind === 'wecom-app' || destination?.kind === 'wecom-robot');
  });
});

describe('totals, durations and notices', () => {
  const totals = { count: 500, userCount: 40, firstSeen: '2025-10-31T04:00:00Z', lastSeen: '2025-10-31T05:00:00Z' };

  it('a reminder carries the running totals instead of the source numbers', () => {
    const lines = one(seedSentry, { ...text, repeat: true, totals }).split('\n');
    expect(lines).toEqual(expect.arrayContaining(['🔢 发生次数: 500', '👥 影响用户: 40', '⏰ 首次发现: 2025-10-31 12:00:00', '🕒 最近发生: 2025-10-31 13:00:00']));
  });

  it('Sentry resolved: how long it lasted, from the earliest start to endsAt, else to receipt', () => {
    const lasted = (alert: Alert, t?: typeof totals) => one(alert, { ...text, totals: t }).split('\n').find((l) => l.startsWith('⏱️ 持续时间'));
    const resolved: Alert = { ...seedSentry, status: 'resolved', endsAt: '2025-10-31T06:35:45Z' };
    expect(lasted(resolved)).toBe('⏱️ 持续时间: 2小时5分');
    expect(lasted(resolved, totals)).toBe('⏱️ 持续时间: 2小时35分'); // the gateway saw it first at 04:00
    expect(lasted({ ...resolved, endsAt: undefined, receivedAt: '2025-10-31T04:33:57Z' })).toBe('⏱️ 持续时间: 3分12秒');
    expect(lasted({ ...resolved, startsAt: undefined })).toBeUndefined();
    expect(lasted(seedSentry)).toBeUndefined(); // still firing: no duration
  });

  it('Alertmanager resolved: startsAt → endsAt', () => {
    const card = one({ ...seedAm, status: 'resolved', endsAt: '2025-11-01T07:35:00Z' });
    expect(card).toContain('⏱️ 持续时间: 1天3小时');
  });

  it('Alertmanager shows how often only when it happened more than once', () => {
    expect(one(seedAm, { ...text, totals: { count: 1 } })).not.toContain('发生次数');
    expect(one(seedAm, { ...text, totals: { count: 7 } })).toContain('🔢 发生次数: 7');
  });

  it('truncatedAlerts > 0 is said, late criticals say how late', () => {
    const lines = one({ ...seedAm, truncatedAlerts: 3 }, { ...text, lateByMs: 723_000 }).split('\n');
    expect(lines).toEqual(expect.arrayContaining(['另有 3 条告警未展示', '⏱️ 延迟送达: 12分3秒']));
    expect(one({ ...seedAm, truncatedAlerts: 0 }, { ...text, lateByMs: 0 })).toBe(one(seedAm));
  });
});

describe('Sentry performance issues', () => {
  it('say which kind of performance problem they are, after the location', () => {
    const [card] = renderAlert({ ...seedSentry, title: 'N+1 Query', category: 'performance', issueType: 'performance_n_plus_one_db_queries' }, text);
    expect(card).toContain('📝 位置: app.main.get_recommend\n🐢 性能问题: N+1 数据库查询\n⏰ 首次发现');
    const [unknownType] = renderAlert({ ...seedSentry, category: 'performance', issueType: 'performance_something_new' }, text);
    expect(unknownType).toContain('🐢 性能问题: something new');
    expect(renderAlert(seedSentry, text)[0]).not.toContain('性能问题');
  });
});

describe('claims and escalations', () => {
  it('a resolution says who claimed the problem; an escalation is marked in the header', () => {
    const [resolved] = renderAlert({ ...seedAm, status: 'resolved', endsAt: '2025-10-31T04:50:00Z' }, { ...text, claim: { by: '张三', at: '2025-10-31T04:40:00Z' } });
    expect(resolved).toContain('👤 认领人: 张三 (10-31 12:40)');
    const [escalated] = renderAlert(seedSentry, { ...markdown, escalation: 2 });
    expect(escalated.split('\n')[0]).toBe('<font color="warning">**⏫ [升级 2] 🆕 [Sentry 应用告警] ValueError in calculate_score**</font>');
  });

  it('a Grafana alert is the seed\'s rule card, from Grafana, with its value', () => {
    const [card] = renderAlert({ ...seedAm, source: 'grafana', value: 'B=92.5' }, text);
    expect(card).toContain('🏷️  来源: Grafana\n');
    expect(card).toContain('📈 数值: B=92.5');
    expect(card.split('\n')[0]).toBe('🔥 [FIRING] RedisConnectionFailed');
  });
});

describe('missing fields are left out, never undefined/null/NaN/empty', () => {
  const optional = ['level', 'environment', 'service', 'location', 'instance', 'job', 'startsAt', 'endsAt', 'count', 'userCount', 'url', 'summary', 'description', 'value', 'truncatedAlerts'] as const;
  const broken: Record<(typeof optional)[number], unknown> = {
    level: undefined, environment: '', service: undefined, location: '', instance: undefined, job: '', startsAt: 'not a date',
    endsAt: 'garbage', count: Number.NaN, userCount: undefined, url: '', summary: '', description: undefined, value: '', truncatedAlerts: Number.NaN,
  };

  it('for any subset of missing or broken fields, any source, status and format (property)', () => {
    fc.assert(
      fc.property(
        fc.subarray([...optional]),
        fc.constantFrom(seedSentry, seedAm, grafanaFixture('firing.json'), { ...seedAm, source: 'test' as const }),
        fc.constantFrom<Alert['status']>('firing', 'resolved', 'unresolved', 'ignored', 'assigned'),
        fc.constantFrom('text' as const, 'markdown' as const),
        fc.option(fc.record({ count: fc.constantFrom(Number.NaN, 0, 1, 3), lastSeen: fc.constantFrom(undefined, 'bad') }), { nil: undefined }),
        (missing, base, status, format, totals) => {
          const alert = { ...base, status, receivedAt: 'not a date' } as Alert;
          for (const field of missing) (alert as unknown as Record<string, unknown>)[field] = broken[field];
          for (const part of renderAlert(alert, { ...text, format, totals })) {
            expect(part).not.toMatch(/undefined|null|NaN|Invalid Date|: *$|：$/m);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('markdown neutralises user text without losing it', () => {
  const back = (s: string) => s.replace(/＜/g, '<').replace(/＞/g, '>').replace(/＃/g, '#');

  it.each([
    ['a font tag in the title', { title: 'A <font color="info">trick</font>' }, '**🔥 [FIRING] A ＜font color="info"＞trick＜/font＞**', 'A <font color="info">trick</font>'],
    ['a mention in the description', { description: 'ping <@all> now' }, '\nping ＜@all＞ now\n', 'ping <@all> now'],
    ['a quote at the start of a line', { description: 'first\n> not a quote' }, '\n＞ not a quote\n', '> not a quote'],
    ['a heading at the start of a line', { description: '# not a heading' }, '\n＃ not a heading\n', '# not a heading'],
  ])('%s', (_name, fields, neutralised, visible) => {
    const card = one({ ...seedAm, ...fields }, { ...markdown, mentions: ['zhangsan'] });
    expect(card).toContain(neutralised);
    expect(card.match(/<font /g)).toHaveLength(1); // only the header's own
    expect(card.match(/<@/g)).toHaveLength(1); // only the configured mention
    expect(back(card)).toContain(visible);
  });

  it('a URL with parentheses stays one link', () => {
    const card = one({ ...seedSentry, url: 'https://x.cn/a_(b)' }, markdown);
    expect(card).toContain('🔗 详情: [x.cn/a_(b)](https://x.cn/a_%28b%29)');
  });

  it('a title with line breaks stays on the header line', () => {
    expect(firstLine(one({ ...seedAm, title: 'Disk\nfull\r\nagain' }))).toBe('🔥 [FIRING] Disk full again');
  });

  it('colours: critical and warning orange-red, info grey, resolved green', () => {
    const colour = (alert: Alert) => /^<font color="(\w+)">/.exec(one(alert, markdown))?.[1];
    expect(colour(seedAm)).toBe('warning');
    expect(colour({ ...seedAm, severity: 'warning' })).toBe('warning');
    expect(colour({ ...seedAm, severity: 'info' })).toBe('comment');
    expect(colour({ ...seedAm, status: 'resolved' })).toBe('info');
    expect(colour({ ...seedSentry, status: 'ignored' })).toBe('comment');
  });

  it('text cards carry no mention markup (robot text mentions travel in mentioned_list)', () => {
    expect(one(seedAm, { ...text, mentions: ['zhangsan'] })).not.toContain('<@');
  });
});

describe('byte budgets: measure, then degrade', () => {
  const tenKb = '数据库连接池耗尽，请求排队超时。'.repeat(220);

  it.each([
    ['text', 2048],
    ['text', 4096],
    ['markdown', 2048],
    ['markdown', 4096],
  ] as const)('a 10 KB Chinese description in %s/%i → numbered parts that each fit', (format, budgetBytes) => {
    expect(byteLength(tenKb)).toBeGreaterThan(10_000);
    const parts = renderAlert({ ...seedAm, description: tenKb }, { ...text, format, budgetBytes, mentions: ['zhangsan'] });
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.length).toBeLessThanOrEqual(MAX_PARTS);
    parts.forEach((p, i) => {
      expect(byteLength(p)).toBeLessThanOrEqual(budgetBytes);
      expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p);
      expect(firstLine(p)).toContain(`🔥 [FIRING] RedisConnectionFailed (${i + 1}/${parts.length})`);
      if (format === 'markdown') expect((p.match(/<font /g) ?? []).length).toBe((p.match(/<\/font>/g) ?? []).length);
    });
    const all = parts.join('\n');
    // Every labelled line survives; the description is cut only past MAX_PARTS, and says so.
    for (const line of ['严重程度: CRITICAL', '来源: Prometheus', '实例: redis:6379', '任务: redis-exporter', '时间: 2025-10-31 12:35:00', 'Redis 连接失败']) expect(all).toContain(line);
    const bodies = parts.map((p) => p.slice(p.indexOf('\n') + 1)).join('').replace(/\n/g, '');
    if (budgetBytes === 4096) expect(bodies).toContain(tenKb);
    else expect(bodies).toMatch(/(数据库连接池耗尽，请求排队超时。){60}.*…(<@zhangsan>)?━+$/);
    if (format === 'markdown') expect(parts.at(-1)).toContain('<@zhangsan>');
    // Parts are used, not wasted: all but the last are nearly full.
    parts.slice(0, -1).forEach((p) => expect(byteLength(p)).toBeGreaterThan(budgetBytes * 0.9));
  });

  it('slightly too long: the description is cut a little and it stays one message', () => {
    const alert = { ...seedAm, description: '请求排队超时。'.repeat(40) };
    const full = one(alert, { ...text, budgetBytes: 4096 });
    const [card, ...rest] = renderAlert(alert, { ...text, budgetBytes: byteLength(full) - 30 });
    expect(rest).toEqual([]);
    expect(card.split('\n').slice(0, 9)).toEqual(full.split('\n').slice(0, 9));
    expect(card).toMatch(/…\n━+$/);
  });

  it('then the low-value lines go (source, job, last seen) before a split or a deep cut', () => {
    const alert = { ...seedAm, description: '请求排队超时。' };
    const full = one(alert, { ...text, budgetBytes: 4096, totals: { count: 3, lastSeen: '2025-10-31T04:50:00Z' } });
    const [card, ...rest] = renderAlert(alert, { ...text, totals: { count: 3, lastSeen: '2025-10-31T04:50:00Z' }, budgetBytes: byteLength(full) - 20 });
    expect(rest).toEqual([]);
    expect(card).not.toMatch(/来源|任务|最近发生/);
    expect(card).toContain('📝 Redis 连接失败\n请求排队超时。');
    expect(card).toContain('🔢 发生次数: 3');
  });

  it('a re-render on half the budget after 40058/45002 still fits', () => {
    for (const budgetBytes of [1024, 512, 256]) {
      for (const format of ['text', 'markdown'] as const) {
        const parts = renderAlert({ ...seedSentry, description: tenKb }, { ...text, format, budgetBytes });
        parts.forEach((p) => expect(byteLength(p)).toBeLessThanOrEqual(budgetBytes));
      }
    }
  });

  it('random alerts always fit, stay valid UTF-8 and number their parts (property)', () => {
    const words = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.constantFrom('数据库连接池耗尽', '<font color="info">', '<@all>', '👨‍👩‍👧', '\n', '> ', '# '));
    const userText = (n: number) => fc.array(words, { maxLength: n }).map((a) => a.join(''));
    fc.assert(
      fc.property(
        fc.record({ title: userText(30), description: userText(400), service: userText(5), location: userText(5), url: fc.webUrl() }),
        fc.constantFrom(seedSentry, seedAm),
        fc.constantFrom(256, 512, 2048, 4096),
        fc.constantFrom('text' as const, 'markdown' as const),
        (fields, base, budgetBytes, format) => {
          const parts = renderAlert({ ...base, ...fields }, { ...text, format, budgetBytes, mentions: ['zhangsan'] });
          parts.forEach((p, i) => {
            expect(byteLength(p)).toBeLessThanOrEqual(budgetBytes);
            expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p);
            if (parts.length > 1) expect(firstLine(p)).toContain(`(${i + 1}/${parts.length})`);
            if (format === 'markdown') expect((p.match(/<font /g) ?? []).length).toBeLessThanOrEqual(1);
          });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('time', () => {
  it.each([
    ['2026-11-24T01:08:26.791Z', 'Asia/Shanghai', '2026-11-24 09:08:26'],
    ['2026-11-24T16:00:00Z', 'Asia/Shanghai', '2026-11-25 00:00:00'], // midnight is 00, not 24
    ['2026-07-01T12:00:00Z', 'Europe/Berlin', '2026-07-01 14:00:00'],
    ['2026-11-24T09:08:26+08:00', 'UTC', '2026-11-24 01:08:26'],
    [undefined, 'Asia/Shanghai', undefined],
    ['', 'Asia/Shanghai', undefined],
    ['garbage', 'Asia/Shanghai', undefined],
  ])('formatTime(%j, %s) = %j', (iso, tz, expected) => {
    expect(formatTime(iso, tz)).toBe(expected);
  });

  /** What Intl itself says, field by field: the shortcut must never disagree with it. */
  const intlFormats = new Map<string, Intl.DateTimeFormat>();
  const intlWallClock = (ms: number, tz: string) => {
    if (!intlFormats.has(tz)) intlFormats.set(tz, new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }));
    const parts = intlFormats.get(tz)!.formatToParts(ms);
    const p = Object.fromEntries(parts.map((part) => [part.type, part.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  };
  // Whole-hour, half-hour (Lord Howe: a 30-minute change) and 45-minute offsets, both hemispheres.
  const zones = ['Asia/Shanghai', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Chatham', 'America/Sao_Paulo', 'UTC'];

  it('agrees with Intl on every second around the changes of 2026 (DST in, DST out)', () => {
    const changes = [
      ['America/New_York', '2026-03-08T07:00:00Z'], ['America/New_York', '2026-11-01T06:00:00Z'],
      ['Europe/London', '2026-03-29T01:00:00Z'], ['Europe/London', '2026-10-25T01:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T15:00:00Z'], ['Australia/Lord_Howe', '2026-10-03T15:30:00Z'],
      ['Pacific/Chatham', '2026-04-04T14:00:00Z'], ['Pacific/Chatham', '2026-09-26T14:00:00Z'],
    ] as const;
    for (const [tz, at] of changes) {
      const change = Date.parse(at);
      const wallMs = (ms: number) => Date.parse(`${intlWallClock(ms, tz).replace(' ', 'T')}Z`);
      expect(wallMs(change) - wallMs(change - 1000), `${tz} changes its offset at ${at}`).not.toBe(1000);
      for (let ms = change - 3_700_000; ms <= change + 3_700_000; ms += 997) expect(formatTime(ms, tz), `${tz} ${new Date(ms).toISOString()}`).toBe(intlWallClock(ms, tz));
    }
  });

  it('agrees with Intl at any instant from 1900 to 2200, in any zone', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(2200, 0, 1) }), fc.constantFrom(...zones), (ms, tz) => {
        expect(formatTime(ms, tz)).toBe(intlWallClock(ms, tz));
        expect(formatTime(new Date(ms).toISOString(), tz)).toBe(intlWallClock(ms, tz));
      }),
      { numRuns: 5000 },
    );
  });

  it.each([
    [0, '0秒'],
    [45_000, '45秒'],
    [60_000, '1分'],
    [192_000, '3分12秒'],
    [3_600_000, '1小时'],
    [7_500_000, '2小时5分'],
    [86_400_000, '1天'],
    [97_200_000, '1天3小时'],
    [-5_000, '0秒'],
  ])('formatDuration(%i) = %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('links and metric alerts', () => {
  it.each(['text', 'markdown'] as const)('only http(s) links reach a %s card', (format) => {
    for (const url of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'ftp://x.cn/a', ' https://x.cn']) {
      const card = one({ ...seedAm, url, generatorUrl: url }, { ...text, format, budgetBytes: 4096 });
      expect(card).not.toContain('🔗');
      expect(card).not.toMatch(/javascript|data:|ftp:/);
    }
  });

  it('the console page stands in for a raw Prometheus graph link, not for a link to the alert', () => {
    const graph = `http://prometheus:9090/graph?g0.expr=${'%28rate%28x%5B5m%5D%29%29'.repeat(20)}`;
    const link = 'https://gw.example.com/console/alerts/1?t=abc';
    const withGraph = one({ ...seedAm, url: graph, generatorUrl: graph }, { ...text, link });
    expect(withGraph).not.toContain('prometheus:9090');
    expect(withGraph).toContain(`📋 告警页面: ${link}`);
    expect(one({ ...seedAm, url: graph, generatorUrl: graph })).toContain(`🔗 详情: ${graph}`); // no console: the graph is all there is
    const ui = 'http://alertmanager:9093/#/alerts?filter=%7Balertname%3D%22RedisConnectionFailed%22%7D';
    expect(one({ ...seedAm, url: ui, generatorUrl: graph }, { ...text, link })).toContain(`🔗 详情: ${ui}\n📋 告警页面: ${link}`);
  });

  describe('robot cards carry 认领 and 静默 1 小时 as links to the console page (a robot has no buttons)', () => {
    const link = 'https://gw.example.com/console/alerts/1?t=abc.def';
    const claim = `[✋ 认领](${link}&do=claim)`;
    const silence = `[🔕 静默 1 小时](${link}&do=silence)`;
    const grafana = () => grafanaFixture('firing.json');

    it.each([
      ['Sentry', () => seedSentry],
      ['Alertmanager', () => seedAm],
      ['Grafana', grafana],
      ['a Sentry regression', () => ({ ...seedSentry, status: 'unresolved' as const })],
    ])('%s firing: both links, on the line after the page', (_name, alert) => {
      const card = one(alert(), { ...markdown, link });
      expect(card).toContain(`[📋 告警页面](${link})\n${claim} · ${silence}\n`);
    });

    it('once claimed, only 静默 1 小时', () => {
      const card = one(seedAm, { ...markdown, link, claim: { by: '张三', at: '2025-10-31T04:40:00Z' } });
      expect(card).toContain(`[📋 告警页面](${link})\n${silence}\n`);
      expect(card).not.toContain('do=claim');
    });

    it.each([
      ['Sentry', () => ({ ...seedSentry, status: 'resolved' as const })],
      ['Alertmanager', () => ({ ...seedAm, status: 'resolved' as const, endsAt: '2025-10-31T04:45:00Z' })],
      ['Grafana', () => grafanaFixture('resolved.json')],
      ['Sentry ignored', () => ({ ...seedSentry, status: 'ignored' as const })],
    ])('%s not firing: no action links', (_name, alert) => {
      const card = one(alert(), { ...markdown, link });
      expect(card).toContain(`[📋 告警页面](${link})`);
      expect(card).not.toContain('do=');
    });

    it('without a console page (PUBLIC_URL unset), none', () => {
      expect(one(seedAm, markdown)).not.toMatch(/认领|静默/);
    });

    it('text cards stay as they were: the seed cards byte for byte, and no action links with a page either', () => {
      const [sentryBlock, amBlock] = seedCards();
      expect(renderAlert(seedSentry, text)).toEqual([sentryBlock]);
      expect(renderAlert(seedAm, text)).toEqual([amBlock]);
      expect(one(seedSentry, { ...text, link })).toBe(`${sentryBlock.replace(/\n━+$/, '')}\n📋 告警页面: ${link}\n${sentryBlock.split('\n').at(-1)}`);
      expect(one(seedAm, { ...text, link })).not.toContain('do=');
    });
  });

  it('a metric alert says what it measured and when it fired, not occurrences or a first-seen date', () => {
    const metric: Alert = {
      ...seedSentry, kind: 'metric_alert.critical', key: 'sentry-metric:7', level: 'critical', title: 'Critical: Too many errors', location: undefined,
      count: undefined, userCount: undefined, startsAt: undefined, measure: '1000 events in the last 10 minutes', description: 'Filter: level:error', receivedAt: '2025-10-31T04:40:05Z',
    };
    const lines = one(metric, { ...text, totals: { count: 1, firstSeen: '2025-10-31T04:40:05Z' } }).split('\n');
    expect(lines).toEqual(expect.arrayContaining(['⏰ 触发时间: 2025-10-31 12:40:05', '📈 指标: 1000 events in the last 10 minutes', 'Filter: level:error']));
    expect(lines.join('\n')).not.toMatch(/发生次数|首次发现/);
  });
});
