import type { Job } from 'bullmq';
import type { AlertJobData, Logger, Metrics } from '@ng/core';
import { runPipeline } from './pipeline/run';
import type { AlertContext, Stage } from './pipeline/stage';
import { sourceName } from './pipeline/source-name';
import { settleFailure, type FailureDeps } from './job-failure';

/**
 * The BullMQ processor for alert jobs: runs the pipeline, then logs the alert's fate in one
 * line (duplicate of X / digested into 14:00 / merged / silenced by S / dropped); a delivered
 * alert's line is its 消息发送成功 with fate "delivered".
 */
export function createAlertProcessor(deps: { stages: readonly Stage[]; logger: Logger; metrics: Metrics } & FailureDeps) {
  return async function processAlert(job: Job<AlertJobData>, token?: string): Promise<string> {
    const alert = job.data?.alert;
    const log = deps.logger.child({ jobId: job.id, source: alert?.source, origin: alert ? sourceName(alert) : undefined, key: alert?.key });
    const ctx: AlertContext = { job, alert, log, decisions: [], immediate: [], slots: new Map(), sentTo: [] };
    try {
      const outcome = await runPipeline(deps.stages, ctx);
      deps.metrics.fates.inc({ fate: outcome.fate });
      // A delivered alert's fate is its 消息发送成功 line; every other fate gets its own.
      if (outcome.fate !== 'delivered' || ctx.sentTo.length === 0) {
        log.info('alert fate', { fate: outcome.fate, reason: outcome.detail, severity: ctx.alert.severity, title: ctx.alert.title });
      }
      return outcome.detail ? `${outcome.fate}: ${outcome.detail}` : outcome.fate;
    } catch (err) {
      return settleFailure(err, job, token, deps);
    }
  };
}
