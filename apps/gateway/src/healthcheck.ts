import { loadConfig } from '@ng/core';

/**
 * The image's HEALTHCHECK, for every mode of the one image: the gateway and ingest answer
 * /health on PORT, a worker on METRICS_PORT. Both ports come from the same settings the
 * process itself read, so PORT=8080 or METRICS_PORT=9200 stay healthy. Exit 0 = healthy.
 */
async function answers(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(3000) });
    return res.ok;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const { port, metricsPort } = loadConfig();
  const healthy = (await answers(port)) || (await answers(metricsPort));
  process.exit(healthy ? 0 : 1);
}

main().catch(() => process.exit(1));
