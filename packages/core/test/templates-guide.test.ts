import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERT_FIELDS, loadConfig, loadExample, parsePolicy, previewWebhook, VARIABLES } from '../src';

const docs = path.resolve(__dirname, '../../../docs');
const guide = fs.readFileSync(path.join(docs, 'templates.md'), 'utf8');
const blocks = (kind: string) => [...guide.matchAll(new RegExp(`<!-- ${kind}: ([^>]+?) -->\\n\`\`\`\\w*\\n([\\s\\S]*?)\\n\`\`\``, 'g'))].map((m) => ({ name: m[1], text: m[2] }));
const config = loadConfig({ WEIXIN_CORP_ID: 'ww', WEIXIN_CORP_SECRET: 's', WEIXIN_AGENT_ID: '1' });

/** docs/templates.md: the three worked examples, exactly as written, and every variable documented. */
describe('the templates guide', () => {
  it('shows each example template as its file holds it', () => {
    const templates = blocks('template');
    expect(templates.map((t) => t.name)).toEqual(['oneline.markdown', 'english.text', 'runbook-first.markdown']);
    for (const t of templates) expect(t.text, t.name).toBe(fs.readFileSync(path.join(docs, 'templates', `${t.name}.liquid`), 'utf8').replace(/\n$/, ''));
  });

  it.each(blocks('example').map((b) => [b.name, b.text]))('%s renders the bundled example to exactly the bytes shown', async (name, expected) => {
    const [template, example] = name.split(' ');
    const format = template.split('.')[1];
    const type = format === 'markdown' ? 'robot, key: k' : 'app';
    const text = `destinations:\n  - { id: d, type: ${type}, template: { ${format}: { file: ${template}.liquid } } }\n`;
    const policy = parsePolicy(config, { file: path.join(docs, 'templates', 'policy.yaml'), text, readFile: (p) => fs.readFileSync(p, 'utf8') });
    const preview = await previewWebhook({ webhook: loadExample(example), policy, config, now: new Date('2025-10-31T04:40:00Z') });
    expect(preview.alerts[0].destinations[0].parts.map((p) => p.text).join('\n')).toBe(expected);
  });

  it('has six worked outputs: three templates, the Sentry and the Alertmanager example each', () => {
    expect(blocks('example')).toHaveLength(6);
  });

  it('lists every variable a template sees', () => {
    for (const name of Object.keys(VARIABLES)) if (name !== 'alert') expect(guide, name).toContain(`| \`${name}\` |`);
    for (const name of Object.keys(ALERT_FIELDS)) expect(guide, name).toContain(`| \`alert.${name}\` |`);
  });
});
