import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { byteLength, compileTemplate, loadConfig, MAX_PARTS, parsePolicy, renderAlert, renderMessage, TemplateError, type Alert, type RenderOptions } from '../src';

const am: Alert = {
  source: 'alertmanager', kind: 'alertmanager', key: 'am:1', idempotencyKey: '1'.repeat(32), status: 'firing', severity: 'critical', level: 'critical',
  title: 'RedisConnectionFailed', instance: 'redis:6379', job: 'redis-exporter', startsAt: '2025-10-31T04:35:00Z', summary: 'Redis 连接失败',
  description: 'Redis 服务不可用，推荐系统将降级运行', labels: { alertname: 'RedisConnectionFailed', team: 'dba' }, annotations: { runbook_url: 'https://wiki.example.com/redis' },
  receivedAt: '2025-10-31T04:35:00Z',
};
const text: RenderOptions = { format: 'text', budgetBytes: 2048, tz: 'Asia/Shanghai', now: new Date('2025-10-31T05:00:00Z') };
const compile = (source: string, strict = true, format: 'text' | 'markdown' = 'text') => compileTemplate(source, { format, origin: { name: 't.liquid' }, strict });
const config = loadConfig({ WEIXIN_ROBOT_KEY: 'k' });
const policyFile = (yaml: string, files: Record<string, string> = {}) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tpl-'));
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), body);
  const file = path.join(dir, 'policy.yaml');
  return { file, text: yaml, readFile: (p: string) => fs.readFileSync(p, 'utf8') };
};
const load = (yaml: string, files?: Record<string, string>) => parsePolicy(config, policyFile(yaml, files));
const loadError = (yaml: string, files?: Record<string, string>) => {
  try {
    load(yaml, files);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('the policy loaded');
};

describe('validation at load: file, line and column', () => {
  it.each([
    ['a syntax error', 'ok\n  {{ alert.title ', /^t\.liquid:2:3: output "\{\{ alert.title " not closed/],
    ['an unclosed tag', '{% if alert.job %}\nx', /^t\.liquid:1:1: tag \{% if alert.job %\} not closed/],
    ['an unknown filter', 'line\n{{ alert.title | shout }}', /^t\.liquid:2:1: undefined filter: shout/],
    ['an unknown variable (strict)', '{{ alert.title }}\n{{ alert.titel }}', /^t\.liquid:2:4: unknown variable "alert\.titel"/],
    ['an unknown top-level variable (strict)', '{{ heading }} {{ severity }}', /^t\.liquid:1:18: unknown variable "severity"/],
    ['a field below a plain field (strict)', '{{ alert.title.text }}', /^t\.liquid:1:4: "alert\.title" has no field "text"/],
    ['include reads no file', '{% include "/etc/passwd" %}', /^t\.liquid:1:1: tag "include" not found/],
    ['render reads no file', '{% render "x" %}', /^t\.liquid:1:1: tag "render" not found/],
  ])('%s', (_name, source, message) => {
    expect(() => compile(source)).toThrow(TemplateError);
    expect(() => compile(source)).toThrow(message);
  });

  it('not strict: an unknown variable prints nothing', () => {
    expect(compile('[{{ alert.titel }}]', false).render({ alert: am })).toBe('[]');
  });

  it('labels, annotations and Liquid\'s own names are known', () => {
    expect(() => compile('{{ alert.labels.team }} {{ alert.annotations.runbook_url }} {{ alert.title.size }} {% for m in mentions %}{{ forloop.index }}{% endfor %}')).not.toThrow();
  });

  it('an inline template in the policy file reports lines of the policy file', () => {
    const yaml = ['templates:', '  sentry:', '    markdown: |', '      {{ heading }}', '      {{ alert.title | nope }}', ''].join('\n');
    expect(loadError(yaml)).toMatch(/policy\.yaml:5:7: undefined filter: nope/);
  });

  it('a template file reports its own lines; every problem of the file is listed', () => {
    const yaml = ['destinations:', '  - { id: ops, type: robot, key: k, template: { markdown: { file: ops.liquid } } }', 'routes:', '  - name: r', '    match: {}', '    template: { text: "{{ bogus }}" }', ''].join('\n');
    const message = loadError(yaml, { 'ops.liquid': 'a\nb {{ alert.nope }}' });
    expect(message).toMatch(/ops\.liquid:2:6: unknown variable "alert\.nope"/);
    expect(message).toMatch(/policy\.yaml \(routes\.0\.template\.text\):1:4: unknown variable "bogus"/);
  });

  it('a route with a template needs a name no other route has', () => {
    const yaml = 'routes:\n  - { name: r, match: {}, continue: true }\n  - { name: r, match: {}, template: { text: "x" } }\n';
    expect(loadError(yaml)).toMatch(/routes\[1\] \(r\) has a template, and another route has the same name/);
  });

  it('a missing template file is named', () => {
    expect(loadError('templates: { sentry: { text: { file: gone.liquid } } }')).toMatch(/cannot read template file gone\.liquid/);
  });

  it('${VAR} is not expanded in templates: a card never prints a secret', () => {
    const p = parsePolicy(loadConfig({ WEIXIN_ROBOT_KEY: 'k', ...{} }), { ...policyFile('templates: { alertmanager: { text: "x ${WEIXIN_ROBOT_KEY}" } }'), file: 'p.yaml' });
    expect(renderAlert(am, { ...text, template: p.templates.sources.alertmanager!.text })).toEqual(['x ${WEIXIN_ROBOT_KEY}']);
  });
});

describe('hostile templates: rejected at load or stopped by a render limit', () => {
  it.each([
    ['prototype walking', '{{ alert.__proto__ }}{{ alert.constructor }}{{ alert.title.constructor.constructor }}'],
    ['constructor of a string', "{% assign f = alert.title.constructor %}{{ f.name }}{{ 'x'.constructor }}"],
  ])('%s: nothing is reachable (own properties only)', (_name, source) => {
    expect(() => compile(source)).toThrow(/unknown variable|has no field/); // strict rejects it at load
    expect(compile(source, false).render({ alert: am })).toBe('');
  });

  it.each([
    ['an endless loop', '{% for i in (1..1000000000) %}{{ i }}{% endfor %}', /memory alloc limit exceeded/],
    ['loops in loops', '{% for i in (1..5000) %}{% for j in (1..5000) %}{% endfor %}{% endfor %}', /limit exceeded/],
    ['a huge repeat', '{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}', /memory alloc limit exceeded/],
  ])('%s is rejected at load (tried on the bundled examples)', (_name, source, reason) => {
    const started = Date.now();
    expect(loadError(`templates: { alertmanager: { text: '${source}' } }`)).toMatch(reason);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a template that only blows up on one alert: the built-in card goes out, and the caller hears why', () => {
    const template = compile('{% for i in (1..alert.count) %}{{ i }}{% endfor %}');
    const errors: Error[] = [];
    const parts = renderAlert({ ...am, source: 'sentry', count: 2_000_000_000 }, { ...text, template, onTemplateError: (e) => errors.push(e) });
    expect(parts[0]).toMatch(/^🆕 \[Sentry 应用告警\] RedisConnectionFailed/);
    expect(errors[0]).toBeInstanceOf(TemplateError);
    expect(errors[0].message).toMatch(/^t\.liquid:1:1: memory alloc limit exceeded/);
  });
});

describe('a template card is fitted like the seed\'s', () => {
  const tenKb = '数据库连接池耗尽，请求排队超时。'.repeat(220);

  it.each([
    ['text', 2048],
    ['markdown', 4096],
    ['markdown', 2048],
  ] as const)('a template that renders 10 KB (%s/%i) → numbered parts that each fit, split between lines', (format, budgetBytes) => {
    const template = compile('{{ alert.title }}{% part %}\n{{ alert.instance }}\n{% body %}{{ alert.description }}{% endbody %}\nend', true, format);
    const parts = renderAlert({ ...am, description: tenKb }, { ...text, format, budgetBytes, template });
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.length).toBeLessThanOrEqual(MAX_PARTS);
    parts.forEach((p, i) => {
      expect(byteLength(p)).toBeLessThanOrEqual(budgetBytes);
      expect(p.split('\n')[0]).toBe(`RedisConnectionFailed (${i + 1}/${parts.length})`);
    });
    expect(parts[0].split('\n')[1]).toBe('redis:6379');
    expect(parts.at(-1)).toMatch(/\nend$/); // the lines after the body are never cut
  });

  it('10 KB of fixed lines and no body: at most MAX_PARTS parts, the last one says it was cut', () => {
    const template = compile('{{ alert.title }}\n{% for i in (1..400) %}第 {{ i }} 行：{{ alert.summary }}\n{% endfor %}');
    const parts = renderAlert(am, { ...text, template });
    expect(parts).toHaveLength(MAX_PARTS);
    parts.forEach((p) => expect(byteLength(p)).toBeLessThanOrEqual(2048));
    expect(parts.at(-1)).toMatch(/…$/);
  });

  it('the body is cut a little first, then {% low %} lines go, before a split', () => {
    const keep = `keep${'.'.repeat(600)}`;
    const template = compile(`{{ alert.title }}\n${keep}\nsource: Prometheus{% low %}\n{% body %}{{ alert.description }}{% endbody %}`);
    const full = renderAlert(am, { ...text, template })[0];
    expect(full).toBe(`RedisConnectionFailed\n${keep}\nsource: Prometheus\nRedis 服务不可用，推荐系统将降级运行`);
    expect(renderAlert(am, { ...text, template, budgetBytes: byteLength(full) - 5 })).toEqual([`RedisConnectionFailed\n${keep}\nsource: Prometheus\nRedis 服务不可用，推荐系统将降…`]);
    expect(renderAlert(am, { ...text, template, budgetBytes: byteLength(full) - 19 })).toEqual([`RedisConnectionFailed\n${keep}\nRedis 服务不可用，推荐系统将降级运行`]);
  });

  it('user text cannot forge the marks a template uses', () => {
    const template = compile('{{ alert.title }}\n{{ alert.summary }}\n{% body %}{{ alert.description }}{% endbody %}');
    const [card] = renderAlert({ ...am, summary: 'x\uE000\uE001y', description: 'd\uE002\uE003' }, { ...text, template });
    expect(card).toBe('RedisConnectionFailed\nxy\nd');
  });

  it('markdown escaping for every output; helpers write links and mentions', () => {
    const template = compile('{{ alert.summary }} {{ alert.annotations.runbook_url | link: "Runbook" }} {{ mentions | mention }}', true, 'markdown');
    const [card] = renderAlert({ ...am, summary: '<@all> <font color="info">x</font>' }, { ...text, format: 'markdown', template, mentions: ['wangwu'] });
    expect(card).toBe('＜@all＞ ＜font color="info"＞x＜/font＞ [Runbook](https://wiki.example.com/redis) <@wangwu>');
  });
});

describe('which template a message uses', () => {
  const yaml = [
    'destinations:',
    '  - { id: ops, type: robot, key: k, template: { markdown: "destination {{ alert.title }}" } }',
    '  - { id: dba, type: robot, key: k2 }',
    'templates:',
    '  alertmanager: { markdown: "source {{ alert.title }}" }',
    'routes:',
    '  - { name: dba-route, match: { labels: { team: dba } }, destinations: [dba], template: { markdown: "route {{ alert.title }}" } }',
    '',
  ].join('\n');
  const policy = load(yaml);
  const render = (destinationId: string, alert: Alert) =>
    renderMessage({ kind: 'alert', alert, repeat: false, mentions: [], claimant: 'c' }, { format: 'markdown', budgetBytes: 4096, tz: 'UTC', now: Date.parse(am.receivedAt), lateNoticeAfterMs: 60_000, policy, destinationId })[0];
  const unrouted = { ...am, labels: {} };

  it('the template of the route that sends it, else the destination\'s, else the source\'s, else the built-in card', () => {
    expect(render('dba', am)).toBe('route RedisConnectionFailed'); // team=dba: the route sends it to dba
    expect(render('ops', unrouted)).toBe('destination RedisConnectionFailed');
    expect(render('dba', unrouted)).toBe('source RedisConnectionFailed'); // the defaults send it to dba
    expect(render('dba', { ...unrouted, source: 'sentry' })).toMatch(/^<font color="warning">\*\*🆕 \[Sentry 应用告警\]/);
  });

  it('the policy\'s hash changes with a template file it names', () => {
    const withFile = (body: string) => load('templates: { sentry: { text: { file: s.liquid } } }', { 's.liquid': body }).hash;
    expect(withFile('a {{ alert.title }}')).not.toBe(withFile('b {{ alert.title }}'));
    expect(withFile('a {{ alert.title }}')).toMatch(/^[0-9a-f]{12}$/);
  });
});
