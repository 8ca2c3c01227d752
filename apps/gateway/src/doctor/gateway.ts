import axios from 'axios';
import type { Config } from '@ng/core';
import type { Row } from './row';

async function health(url: string): Promise<string | undefined> {
  try {
    const res = await axios.get(url, { timeout: 2000, validateStatus: () => true, maxRedirects: 0 });
    return res.status === 200 ? undefined : `answered HTTP ${res.status}`;
  } catch (err) {
    return `no answer (${(err as { code?: string }).code ?? 'error'})`;
  }
}

/**
 * The seed's 问题 1 (Webhook 无法访问): does ingest answer on this host, and at the address
 * Sentry and Alertmanager are given? PUBLIC_URL is read when it is set; it is not a setting of
 * every version, so unset means nothing to check.
 */
export async function gatewayRows(config: Config): Promise<Row[]> {
  const local = `http://127.0.0.1:${config.port}/health`;
  const here = await health(local);
  const rows: Row[] = [
    here
      ? { check: 'ingest on this host', status: 'warn', found: `${local}: ${here}; the gateway is not running here`, fix: 'start it (npx -y pnpm@10.34.9 start, or docker compose up -d), then run the doctor again' }
      : { check: 'ingest on this host', status: 'ok', found: `${local} answers 200` },
  ];
  const publicUrl = config.environment.PUBLIC_URL?.replace(/\/+$/, '');
  if (!publicUrl) {
    rows.push({ check: 'public URL', status: 'skip', found: 'PUBLIC_URL not set: nothing to check', fix: "Sentry and Alertmanager post to http://<this host>:PORT/webhook/…; open that port to them" });
    return rows;
  }
  const there = await health(`${publicUrl}/health`);
  rows.push(
    there
      ? { check: 'public URL', status: 'fail', found: `${publicUrl}/health: ${there}`, fix: 'make PUBLIC_URL reach the gateway: port open, firewall, proxy (Sentry and Alertmanager post there)' }
      : { check: 'public URL', status: 'ok', found: `${publicUrl}/health answers 200` },
  );
  return rows;
}
