import fs from 'node:fs';
import path from 'node:path';
import type { Alert } from '../alert';
import { normalizeAlertmanager } from './alertmanager';
import { PayloadError } from './payload-error';
import { normalizeSentry } from './sentry';

/** A webhook as its sender posts it: the body, and for Sentry the resource its header names. */
export interface Webhook {
  source: 'sentry' | 'alertmanager';
  /** Sentry-Hook-Resource (issue, error, event_alert, metric_alert …); none for the legacy plugin. */
  resource?: string;
  body: unknown;
}

/** The key of Sentry's `data` object names its resource (reference/sentry.md §2.3). */
const SENTRY_DATA_RESOURCE: Record<string, string> = {
  issue: 'issue',
  error: 'error',
  event: 'event_alert',
  metric_alert: 'metric_alert',
  comment: 'comment',
  installation: 'installation',
};

/**
 * Which sender a body comes from, for a preview where no route or header says: Alertmanager's
 * bodies carry version "4" and alerts[]; Sentry's name their resource by the key of `data`
 * (the legacy plugin has none).
 */
export function detectWebhook(body: unknown, resource?: string): Webhook {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new PayloadError('the webhook body must be a JSON object');
  const b = body as Record<string, unknown>;
  if (b.version !== undefined && Array.isArray(b.alerts)) return { source: 'alertmanager', body };
  if (resource) return { source: 'sentry', resource, body };
  const data = b.data && typeof b.data === 'object' ? Object.keys(b.data) : [];
  return { source: 'sentry', resource: data.map((key) => SENTRY_DATA_RESOURCE[key]).find(Boolean), body };
}

/** The alerts a webhook carries, as ingest would queue them; `ignored` says why there are none. */
export function normalizeWebhook(webhook: Webhook, opts: { receivedAt: Date; sentryBaseUrl?: string }): { event: string; alerts: Alert[]; ignored?: string } {
  if (webhook.source === 'alertmanager') return { event: 'alertmanager', alerts: normalizeAlertmanager(webhook.body, opts.receivedAt) };
  const outcome = normalizeSentry({ resource: webhook.resource, body: webhook.body, receivedAt: opts.receivedAt, sentryBaseUrl: opts.sentryBaseUrl });
  return outcome.handled ? { event: outcome.event, alerts: outcome.alerts } : { event: outcome.event, alerts: [], ignored: outcome.reason };
}

/** Webhooks as Sentry and Alertmanager send them, shipped to try templates and policies on (pnpm preview, POST /api/preview). */
const EXAMPLES_DIR = path.resolve(__dirname, '../../examples');

export function exampleNames(): string[] {
  return fs
    .readdirSync(EXAMPLES_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

/** A bundled example by name; only names from the list, so no path leaves the folder. */
export function loadExample(name: string): Webhook {
  const names = exampleNames();
  if (!names.includes(name)) throw new PayloadError(`no bundled example "${name.slice(0, 60)}": try ${names.join(', ')}`, 'example');
  const file = JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, `${name}.json`), 'utf8')) as { source: Webhook['source']; headers?: Record<string, string>; body: unknown };
  return { source: file.source, resource: file.headers?.['Sentry-Hook-Resource'], body: file.body };
}
