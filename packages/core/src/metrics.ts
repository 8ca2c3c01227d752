import client from 'prom-client';

/**
 * Every metric of the gateway, in one registry per process. ingest and worker each call
 * createMetrics() once in their composition root and pass it down.
 */
export function createMetrics(app: 'ingest' | 'worker' | 'all-in-one') {
  const registry = new client.Registry();
  registry.setDefaultLabels({ app });
  client.collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    webhooksReceived: new client.Counter({
      name: 'ng_webhooks_received_total',
      help: 'Webhooks received, by source',
      labelNames: ['source'],
      registers,
    }),
    webhooksRejected: new client.Counter({
      name: 'ng_webhooks_rejected_total',
      help: 'Webhooks answered 4xx/5xx, by source and reason',
      labelNames: ['source', 'reason'],
      registers,
    }),
    jobsEnqueued: new client.Counter({
      name: 'ng_jobs_enqueued_total',
      help: 'Alert jobs stored in Redis, by source',
      labelNames: ['source'],
      registers,
    }),
    deliveries: new client.Counter({
      name: 'ng_deliveries_total',
      help: 'WeCom delivery attempts, by message kind (alert, test, digest, storm), channel, outcome and errcode',
      labelNames: ['kind', 'channel', 'outcome', 'errcode'],
      registers,
    }),
    retries: new client.Counter({
      name: 'ng_delivery_retries_total',
      help: 'Deliveries scheduled for another attempt, by reason',
      labelNames: ['reason'],
      registers,
    }),
    fates: new client.Counter({
      name: 'ng_alert_fates_total',
      help: 'What the decision pipeline made of each alert (queued, duplicate, digested, merged, silenced, dropped), and alerts that failed for good',
      labelNames: ['fate'],
      registers,
    }),
    tokenRefreshes: new client.Counter({
      name: 'ng_token_refreshes_total',
      help: 'WeCom access-token fetches, by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    deliveryLatency: new client.Histogram({
      name: 'ng_delivery_latency_seconds',
      help: 'Webhook received → WeCom accepted',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300, 3600],
      registers,
    }),
    claims: new client.Counter({
      name: 'ng_claims_total',
      help: 'Problems claimed (认领) from a card or the console, by source',
      labelNames: ['source'],
      registers,
    }),
    timeToClaim: new client.Histogram({
      name: 'ng_time_to_claim_seconds',
      help: 'First seen → claimed (MTTA)',
      buckets: [30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400],
      registers,
    }),
    timeToResolve: new client.Histogram({
      name: 'ng_time_to_resolve_seconds',
      help: 'First seen → resolved (MTTR)',
      buckets: [60, 300, 600, 1800, 3600, 7200, 21600, 43200, 86400, 259200, 604800],
      registers,
    }),
    escalations: new client.Counter({
      name: 'ng_escalations_total',
      help: 'Unclaimed criticals sent again (⏫ 升级), by level',
      labelNames: ['level'],
      registers,
    }),
    callbackRejections: new client.Counter({
      name: 'ng_callback_rejections_total',
      help: 'WeCom callbacks refused, by reason (bad_signature, stale, replay, wrong_receiver, bad_xml …)',
      labelNames: ['reason'],
      registers,
    }),
    redisMemory: new client.Gauge({
      name: 'ng_redis_memory_bytes',
      help: 'Redis memory used and its maxmemory (0 = no limit), sampled at scrape; at the limit every webhook gets 503',
      labelNames: ['kind'],
      registers,
    }),
    // Alertmanager's and Prometheus' names, so the same alerting rule watches all three.
    configReloadSuccessful: new client.Gauge({
      name: 'ng_config_last_reload_successful',
      help: 'Whether the last load of POLICY_FILE in this process succeeded (1) or kept the previous policy (0)',
      registers,
    }),
    configReloadSuccessTime: new client.Gauge({
      name: 'ng_config_last_reload_success_timestamp_seconds',
      help: 'When POLICY_FILE was last loaded successfully in this process',
      registers,
    }),
    queueDepth: new client.Gauge({
      name: 'ng_queue_jobs',
      help: 'Jobs in each queue by state (sampled at scrape)',
      labelNames: ['queue', 'state'],
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
