import http from 'node:http';
import type { Metrics } from '@ng/core';

/** The worker's small listener: GET /metrics (Prometheus) and GET /health (liveness). */
export function startMetricsServer(metrics: Metrics, port: number, beforeScrape?: () => Promise<void>): Promise<http.Server> {
  const server = http.createServer(async (req, res) => {
    if (req.method === 'GET' && req.url === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
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
