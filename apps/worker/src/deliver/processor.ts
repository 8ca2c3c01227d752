import { UnrecoverableError, type Job } from 'bullmq';
import { actionableCard, compiledCheck, CONTRACT_REFUSED, deliveryJobSchema, deliveryKind, renderMessage, type ActivePolicy, type DeliveryJobData, type HistoryWriter, type Links, type Logger, type MessageRecord, type Metrics, type SelfMonitor } from '@ng/core';
import type { Channel } from '../channels/channel';
import type { Clock } from '../clock';
import type { Budget } from '../store/budget';
import type { CardStore } from '../store/cards';
import type { ProblemStore } from '../store/problems';
import { DeliveryError, type Classification } from '../wecom/classify';
import { pageOf, recordMessage } from './record';
import { phoneMention } from './phone-mention';
import { sendMessage } from './send-message';
import { deferJob, settleFailure } from './settle';
import { sourceName } from '../source-name';

/** What a delivery to the log channel (dry run) logs instead of 消息发送成功. */
export const DRY_RUN_LINE = '演练模式: 已写入日志，未发往企业微信';

export interface DeliveryDeps {
  /** The policy in force and the channels built from it (a reload replaces both). */
  active: ActivePolicy<{ channels: ReadonlyMap<string, Channel> }>;
  budget: Budget;
  problems: ProblemStore;
  history: HistoryWriter;
  links: Links;
  cards: CardStore;
  clock: Clock;
  tz: string;
  lateNoticeAfterMs: number;
  freqLimitDelayMs: number;
  metrics: Metrics;
  logger: Logger;
  selfMonitor: SelfMonitor;
}

const matchesContract = compiledCheck(deliveryJobSchema, { allowUnknown: false });

/** What in a delivery job this release cannot read, or undefined when it reads all of it. */
export function deliveryContractError(data: unknown): string | undefined {
  if (matchesContract(data)) return undefined;
  // joi words what is wrong (and has the last word should the compiled check be stricter).
  return deliveryJobSchema.validate(data, { allowUnknown: false, convert: false }).error?.message;
}

function validateDeliveryJob(data: unknown): DeliveryJobData {
  const error = deliveryContractError(data);
  if (error) throw new UnrecoverableError(`${CONTRACT_REFUSED}: ${error}`);
  return data as DeliveryJobData;
}

/**
 * The only way out to WeCom. Every outgoing message — alert card, reminder, resolution, digest,
 * storm summary, test card — is one job for one destination: take the destination's budget
 * (or wait for it), render, send, classify, settle. Completing the job is the record that the
 * message was sent; one destination failing never holds up another.
 */
export function createDeliveryProcessor(deps: DeliveryDeps) {
  return async function deliver(job: Job, token?: string): Promise<string> {
    const data = validateDeliveryJob(job.data);
    const { message, destinationId } = data;
    const { policy, built } = deps.active.current;
    const channel = built.channels.get(destinationId);
    if (!channel) throw new UnrecoverableError(`destination "${destinationId}" is not in the policy (it may have been removed): retry after restoring it`);
    const kind = deliveryKind(message);
    const alert = message.kind === 'alert' ? message.alert : undefined;
    const attempt = job.attemptsMade + 1;
    const fields = { kind, channel: channel.id, jobId: job.id, attempt, source: alert?.source, origin: alert && sourceName(alert), key: alert?.key };
    const log = deps.logger.child(fields);
    const page = pageOf(data);
    const link = page && (await deps.links.to(page));
    const record = (r: Omit<MessageRecord, 'at' | 'destinationId' | 'channel' | 'kind' | 'attempt'>) =>
      recordMessage(deps.history, data, String(job.id), { at: new Date(deps.clock.now()).toISOString(), destinationId, channel: channel.id, kind, attempt, ...(message.kind === 'alert' && message.escalation && { escalation: message.escalation }), ...r });

    // A card's task id names it in WeCom's click events: one per delivery job.
    const taskId = `ng-${job.id}`;
    const card = actionableCard(message, { interactive: channel.interactive, taskId, tz: deps.tz, link });
    let outcome;
    try {
      outcome =
        message.kind === 'card-update'
          ? await updateCard(channel, message)
          : await sendMessage({
              channel,
              budget: deps.budget,
              render: (budgetBytes) =>
                renderMessage(message, {
                  format: channel.format,
                  budgetBytes,
                  tz: deps.tz,
                  now: deps.clock.now(),
                  lateNoticeAfterMs: deps.lateNoticeAfterMs,
                  policy,
                  destinationId,
                  link,
                  destination: { kind: channel.kind, id: channel.id },
                  onTemplateError: (error, template) => log.warn('card template failed: sent the built-in card instead', { template: template.name, error: error.message }),
                }),
              card,
              mentions: message.kind === 'alert' ? message.mentions : undefined,
              companion: phoneMention(message, channel.format),
              progress: data.progress,
              saveProgress: (progress) => job.updateData({ ...data, progress }),
              log,
            });
    } catch (err) {
      const c = err instanceof DeliveryError ? err.classification : undefined;
      deps.metrics.deliveries.inc({ kind, channel: channel.kind, outcome: c?.action ?? 'error', errcode: String(c?.errcode ?? c?.httpStatus ?? '') });
      log[c?.action === 'permanent' ? 'error' : 'warn']('消息发送失败', {
        errcode: c?.errcode,
        httpStatus: c?.httpStatus,
        reason: c?.reason ?? 'internal',
        action: c?.action,
        hint: c?.hint,
        error: err instanceof Error ? err.message : String(err),
      });
      const final = c?.action === 'permanent' || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      await record({ outcome: final ? 'failed' : 'will retry', errcode: c?.errcode, reason: c?.reason ?? 'internal', hint: c?.hint });
      return settleFailure(err, job, token, { ...deps, onPermanent: (classification) => failedForGood(data, classification) });
    }
    if (!outcome.sent) {
      deps.metrics.retries.inc({ reason: 'budget' });
      log.debug('no WeCom budget left for this destination: waiting', { retryInMs: outcome.retryInMs });
      return deferJob(job, token, outcome.retryInMs);
    }

    if (card && alert) await deps.cards.register({ taskId, alert, destinationId }, outcome.results[0]?.responseCode);
    const errcode = outcome.results[0]?.errcode ?? 0;
    deps.metrics.deliveries.inc({ kind, channel: channel.kind, outcome: 'success', errcode: String(errcode) });
    if (alert) deps.metrics.deliveryLatency.observe({ channel: channel.kind }, Math.max(0, deps.clock.now() - Date.parse(alert.receivedAt)) / 1000);
    // In a dry run nothing reached WeCom: the operators' grep for 消息发送成功 must not count it.
    const sentLine = channel.kind === 'log' ? DRY_RUN_LINE : '消息发送成功';
    log.info(sentLine, { errcode, parts: outcome.parts, ...(alert && { fate: channel.kind === 'log' ? 'logged' : 'delivered', title: alert.title }) });
    await record({ outcome: 'sent', errcode, parts: outcome.parts, msgid: outcome.results.find((r) => r.msgid)?.msgid });
    const missed = outcome.results.find((r) => r.missed)?.missed;
    if (missed) log.warn('部分接收人未收到消息 (some recipients were not reached)', { missed });
    return `sent ${kind} in ${outcome.parts} part(s)`;
  };

  /** A card already sent, changed for all who got it; no budget: WeCom counts messages, not updates. */
  async function updateCard(channel: Channel, update: Extract<DeliveryJobData['message'], { kind: 'card-update' }>) {
    if (!channel.updateCard) throw new UnrecoverableError(`destination "${channel.id}" cannot update cards (only a WeCom app with its callback configured can)`);
    const result = await channel.updateCard({ responseCode: update.responseCode, card: update.card, replaceName: update.replaceName });
    return { sent: true as const, results: [result], parts: 1 };
  }

  /** A message that can never be sent: its problem may be sent again, and Sentry hears of it. */
  function failedForGood(data: DeliveryJobData, c: Classification) {
    const alert = data.message.kind === 'alert' ? data.message.alert : undefined;
    if (alert && data.message.kind === 'alert') void deps.problems.release(alert, data.message.claimant);
    deps.selfMonitor.capturePermanentFailure({
      source: alert?.source ?? deliveryKind(data.message),
      key: alert?.key ?? data.destinationId,
      channel: data.destinationId,
      errcode: c.errcode,
      reason: c.reason,
      hint: c.hint,
    });
  }
}
