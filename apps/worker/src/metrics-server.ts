import http from 'node:http';
import type { Metrics } from '@ng/core';

/** The worker's small listener: GET /metrics (Prometheus) and GET /health (liveness, with details such as the policy in force). */
export function startMetricsServer(metrics: Metrics, port: number, opts: { beforeScrape?: () => Promise<void>; details?: () => object } = {}): Promise<http.Server> {
  const { beforeScrape } = opts;
  const server = http.createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', ...opts.details?.() }));
      return;
    }
    if (req.method === 'GET' && req.url === '/metrics') {
      try {
        await beforeScrape?.();
      } catch {
        // Queue depth is best effort; the counters are still worth serving.
      }
      res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(await metrics.registry.metrics());
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, () => resolve(server));
  });
}
