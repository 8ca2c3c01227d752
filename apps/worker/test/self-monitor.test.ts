import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeWecom } from '@ng/testkit';
import { startHarness, waitFor } from './support/harness';
import { criticalAlert } from './support/alerts';

/** A local stand-in for Sentry's ingest: records every envelope it is sent. */
async function startFakeSentry() {
  const envelopes: Array<{ path: string; body: string }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      envelopes.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { dsn: `http://publickey@127.0.0.1:${port}/1`, envelopes, close: () => new Promise((r) => server.close(r)) };
}

describe('self-monitoring (SENTRY_DSN)', () => {
  const closers: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close();
  });

  it('a permanent delivery failure becomes an envelope at Sentry, without secrets', async () => {
    const sentry = await startFakeSentry();
    const wecom = await startFakeWecom();
    const h = await startHarness({ WEIXIN_API_BASE: wecom.url, WEIXIN_ROBOT_KEY: 'a-removed-robot-key', SENTRY_DSN: sentry.dsn });
    closers.push(sentry.close, wecom.close, h.close);
    await h.add(criticalAlert(1));
    await waitFor(() => sentry.envelopes.length > 0, 'an envelope at the fake Sentry');
    const [envelope] = sentry.envelopes;
    expect(envelope.path).toMatch(/^\/api\/1\/envelope\//);
    expect(envelope.body).toContain('WeCom delivery failed for good: robot_invalid (errcode 93000)');
    expect(envelope.body).not.toContain('a-removed-robot-key');
  });
});
