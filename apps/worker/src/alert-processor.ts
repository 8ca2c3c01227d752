import type { Job } from 'bullmq';
import { hashId, type HistoryWriter, type Logger, type Metrics } from '@ng/core';
import type { Clock } from './clock';
import type { Decide } from './decide';
import type { EnqueueDeliveries } from './deliver/enqueue';
import type { Escalation } from './clock/escalation';
import { sourceName } from './source-name';

/**
 * The BullMQ processor of the alerts queue: decide, record the decision in the history (under
 * the alert's idempotency key: one record per notification), queue the messages the decision names,
 * start the escalation a card may start, and log the alert's fate in one line (queued to app /
 * duplicate of X / digested into 14:00 / merged / silenced by S / dropped). Each delivery's job
 * id follows from this job and the destination, so a retried decision queues nothing twice.
 */
export function createAlertProcessor(deps: { decide: Decide; enqueueDeliveries: EnqueueDeliveries; escalation: Pick<Escalation, 'start'>; history: HistoryWriter; clock: Clock; logger: Logger; metrics: Metrics }) {
  return async function processAlert(job: Job): Promise<string> {
    const claimant = String(job.id);
    const outcome = await deps.decide(job.data, claimant);
    const now = deps.clock.now();
    await deps.history.recordDecision(outcome.alert.idempotencyKey, { alert: outcome.alert, fate: outcome.fate, reason: outcome.reason, plan: outcome.plan, decidedAtMs: now, claim: outcome.claim });
    await deps.enqueueDeliveries(outcome.deliveries.map((data) => ({ data, jobId: hashId('delivery', claimant, data.destinationId) })));
    if (outcome.escalation) await deps.escalation.start(outcome.alert, outcome.escalation, claimant);
    deps.metrics.fates.inc({ fate: outcome.fate });
    const firstSeen = Date.parse(outcome.totals?.firstSeen ?? '');
    if (outcome.alert.status === 'resolved' && outcome.fate !== 'duplicate' && Number.isFinite(firstSeen)) deps.metrics.timeToResolve.observe(Math.max(0, now - firstSeen) / 1000);
    const { alert } = outcome;
    deps.logger.info('alert fate', { jobId: job.id, source: alert.source, origin: sourceName(alert), key: alert.key, fate: outcome.fate, reason: outcome.reason, severity: alert.severity, title: alert.title });
    return `${outcome.fate}: ${outcome.reason}`;
  };
}
