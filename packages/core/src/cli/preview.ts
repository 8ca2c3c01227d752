import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config';
import { loadPolicy, PolicyError } from '../policy/load';
import { previewWebhook, type Preview } from '../preview';
import { PayloadError } from '../sources/payload-error';
import { detectWebhook, exampleNames, loadExample, type Webhook } from '../sources/webhook';

const USAGE = `usage: pnpm preview <payload.json | example> [--policy file] [--resource issue] [--json]

  payload.json   a webhook body as Sentry or Alertmanager posts it (or a bundled example's file)
  example        a bundled example: ${exampleNames().join(', ')}
  --policy       a policy file to try (default: POLICY_FILE, else the built-in policy)
  --resource     Sentry-Hook-Resource, when the body's shape does not say
  --json         the preview as POST /api/preview answers it`;

/** A file holding a body, or a bundled example's file ({source, headers, body}), or an example's name. */
function webhookOf(arg: string, resource: string | undefined): Webhook {
  if (!fs.existsSync(arg) && exampleNames().includes(arg)) return loadExample(arg);
  const json = JSON.parse(fs.readFileSync(arg, 'utf8')) as Record<string, unknown>;
  if (json && typeof json === 'object' && 'body' in json && (json.source === 'sentry' || json.source === 'alertmanager')) {
    const headers = (json.headers ?? {}) as Record<string, string>;
    return detectWebhook(json.body, resource ?? headers['Sentry-Hook-Resource']);
  }
  return detectWebhook(json, resource);
}

/** What each destination would receive, for a person reading a terminal. */
function describePreview(preview: Preview): string {
  const out = [`${preview.event} · policy ${preview.policy}`];
  if (preview.ignored) out.push(`no alert: ${preview.ignored}`);
  for (const alert of preview.alerts) {
    out.push('', `■ ${alert.title} (${alert.source}, ${alert.severity}, ${alert.status})`);
    for (const d of alert.destinations) {
      out.push(`  → ${d.destination} (${d.type}, ${d.format}, route ${d.route}): ${d.fate}, ${d.reason} · template ${d.template}`);
      d.parts.forEach((p, i) => out.push(`  ── part ${i + 1}/${d.parts.length}: ${p.bytes}/${p.limit} bytes ──`, p.text));
    }
  }
  return out.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { policy: { type: 'string' }, resource: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || positionals.length !== 1) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  try {
    const config = loadConfig(values.policy ? { ...process.env, POLICY_FILE: values.policy } : process.env);
    const preview = await previewWebhook({ webhook: webhookOf(positionals[0], values.resource), policy: loadPolicy(config), config, now: new Date() });
    console.log(values.json ? JSON.stringify(preview, null, 2) : describePreview(preview));
    return 0;
  } catch (err) {
    const known = err instanceof ConfigError || err instanceof PolicyError || err instanceof PayloadError || err instanceof SyntaxError || (err as NodeJS.ErrnoException).code === 'ENOENT';
    console.error(known ? (err as Error).message : err);
    return 1;
  }
}

void main(process.argv.slice(2)).then((code) => process.exit(code));
