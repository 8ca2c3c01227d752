import { hashId, type Alert, type HistoryWriter } from '@ng/core';
import type { Clock } from '../clock';
import type { EnqueueDeliveries } from '../deliver/enqueue';
import type { ProblemStore } from '../store/problems';
import type { StormStore } from '../store/storm';
import { withTotals } from './digest-flush';

/** One entry per notification: a decision retried after a crash may have buffered it twice. */
function distinct(alerts: Alert[]): Alert[] {
  return [...new Map(alerts.map((a) => [a.idempotencyKey, a])).values()];
}

/**
 * A storm tick: everything the destination's storm buffer holds becomes one summary message.
 * Read, queue (the job id follows from the contents), then trim what was read. Alerts that
 * arrived meanwhile found the buffer busy and scheduled nothing: the next summary is this
 * tick's to schedule.
 */
export function createStormFlush(deps: {
  storm: StormStore;
  problems: ProblemStore;
  history: HistoryWriter;
  enqueueDeliveries: EnqueueDeliveries;
  scheduleSummary: (destinationId: string) => Promise<void>;
  clock: Clock;
}) {
  return async function flushStorm(destinationId: string): Promise<{ alerts: number }> {
    const buffered = await deps.storm.peek(destinationId);
    if (buffered.length === 0) return { alerts: 0 };
    const alerts = distinct(buffered);
    const times = alerts.map((a) => a.receivedAt).sort();
    const items = await withTotals(deps.problems, alerts);
    const jobId = hashId('storm', destinationId, ...alerts.map((a) => a.idempotencyKey));
    const heading = `风暴合并: ${alerts.length} 条告警`;
    await deps.history.recordList({ id: jobId, kind: 'storm', destinationId, heading, atMs: deps.clock.now(), alertIds: alerts.map((a) => a.idempotencyKey) });
    await deps.enqueueDeliveries([{ data: { destinationId, message: { kind: 'storm', items, windowStart: times[0], windowEnd: times[times.length - 1], listId: jobId } }, jobId }]);
    const waiting = await deps.storm.trim(destinationId, buffered.length);
    if (waiting > 0) await deps.scheduleSummary(destinationId);
    return { alerts: alerts.length };
  };
}
