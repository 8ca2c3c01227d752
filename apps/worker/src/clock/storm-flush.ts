import { hashIdOf, stormCollector, type HistoryWriter } from '@ng/core';
import type { Clock } from '../clock';
import type { EnqueueDeliveries } from '../deliver/enqueue';
import type { ProblemStore } from '../store/problems';
import type { StormStore } from '../store/storm';
import { withTotals } from './digest-flush';

/**
 * A storm tick: everything the destination's storm buffer holds becomes one summary message.
 * Read a slice at a time and reduced to what the card shows (list-summary.ts), queue (the job
 * id follows from the contents), then trim what was read. Alerts that arrived meanwhile found
 * the buffer busy and scheduled nothing: the next summary is this tick's to schedule.
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
    const collector = stormCollector();
    // One entry per notification: a decision retried after a crash may have buffered it twice.
    const alertIds = new Set<string>();
    let read = 0;
    let windowStart = '';
    let windowEnd = '';
    for await (const slice of deps.storm.scan(destinationId)) {
      read += slice.length;
      const fresh = slice.filter((a) => !alertIds.has(a.idempotencyKey) && alertIds.add(a.idempotencyKey));
      for (const item of await withTotals(deps.problems, fresh)) collector.add(item);
      for (const { receivedAt } of fresh) {
        if (!windowStart || receivedAt < windowStart) windowStart = receivedAt;
        if (receivedAt > windowEnd) windowEnd = receivedAt;
      }
    }
    if (read === 0) return { alerts: 0 };
    const jobId = hashIdOf(['storm', destinationId, ...alertIds]);
    const heading = `风暴合并: ${alertIds.size} 条告警`;
    const list = await deps.history.startList(jobId);
    await list.append([...alertIds]);
    await list.finish({ kind: 'storm', destinationId, heading, atMs: deps.clock.now() });
    await deps.enqueueDeliveries([{ data: { destinationId, message: { kind: 'storm', ...collector.summary(), windowStart, windowEnd, listId: jobId } }, jobId }]);
    const waiting = await deps.storm.trim(destinationId, read);
    if (waiting > 0) await deps.scheduleSummary(destinationId);
    return { alerts: alertIds.size };
  };
}
