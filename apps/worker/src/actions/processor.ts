import { UnrecoverableError, type Job } from 'bullmq';
import { actionJobSchema, CARD_BUTTONS, formatTime, hashId, templateCardFor, type AckStore, type ActionJobData, type Alert, type HistoryReader, type Logger, type Metrics, type SilenceStore } from '@ng/core';
import type { Clock } from '../clock';
import type { EnqueueDeliveries } from '../deliver/enqueue';
import type { CardStore, SentCard } from '../store/cards';
import type { ProblemStore } from '../store/problems';
import type { SentryResolver } from '../sentry/resolve';

export interface ActionDeps {
  cards: CardStore;
  acks: AckStore;
  silences: SilenceStore;
  problems: ProblemStore;
  history: HistoryReader;
  enqueueDeliveries: EnqueueDeliveries;
  sentry?: SentryResolver;
  memberName: (userId: string) => Promise<string | undefined>;
  clock: Clock;
  tz: string;
  logger: Logger;
  metrics: Metrics;
}

/** Who acted, and where: a WeCom card (WeCom) or the console (控制台), as silences record it. */
type Actor = { id: string; name: string; via: ActionJobData['via']; from: 'WeCom' | '控制台' };

/** What changed on the cards: a line of text, whether 认领 is gone, whether every button is. */
type CardState = { text: string; claimed: boolean; done: boolean };

const hhmm = (ms: number, tz: string) => formatTime(ms, tz)?.slice(11, 16) ?? '';

/**
 * What people did about a problem — 认领, 静默 1 小时, 已处理 clicked on a WeCom card, or the
 * same from the console — done once (every effect is idempotent: a claim is first-wins, a
 * silence has the action's id), then every card about the problem is updated for everyone who
 * got it, through the delivery processor.
 */
export function createActionProcessor(deps: ActionDeps) {
  async function alertOf(action: ActionJobData): Promise<{ alert: Alert; clicked?: SentCard } | undefined> {
    if (action.via === 'wecom') {
      const clicked = await deps.cards.get(action.taskId);
      return clicked && { alert: clicked.alert, clicked };
    }
    const record = await deps.history.get(action.alertId);
    return record && { alert: record.alert };
  }

  async function claim(alert: Alert, user: { id: string; name: string }, atMs: number): Promise<CardState> {
    const { ack, first } = await deps.acks.claim(alert.key, user, atMs);
    if (first) {
      deps.metrics.claims.inc({ source: alert.source });
      const totals = await deps.problems.totals(alert.key);
      const since = Date.parse(totals?.firstSeen ?? alert.startsAt ?? alert.receivedAt);
      if (Number.isFinite(since)) deps.metrics.timeToClaim.observe(Math.max(0, atMs - since) / 1000);
    }
    return { text: `✋ 已认领: ${ack.claimedName} ${hhmm(Date.parse(ack.claimedAt ?? ''), deps.tz)}`, claimed: true, done: false };
  }

  async function silenceHour(alert: Alert, user: Actor, atMs: number, actionId: string): Promise<CardState> {
    await deps.silences.create({ matchers: [{ name: 'key', op: '=', value: alert.key }], duration: '1h', comment: `${user.from}: ${user.name}` }, new Date(atMs), `${user.via}:${user.id}`, { id: actionId });
    const claimed = Boolean((await deps.acks.get(alert.key))?.claimedBy);
    return { text: `🔕 已静默 1 小时: ${user.name} ${hhmm(atMs, deps.tz)}`, claimed, done: false };
  }

  async function resolve(alert: Alert, user: Actor, atMs: number, actionId: string): Promise<CardState> {
    const before = await deps.acks.get(alert.key);
    // A second 已处理 (another member, or WeCom's retry) changes nothing more.
    if (before?.handledBy) return { text: `✅ 已处理: ${before.handledName ?? before.handledBy}`, claimed: true, done: true };
    if (!(await resolvedInSentry(alert))) {
      // Alertmanager cannot be told: stop reminding until it reports the problem resolved.
      await deps.silences.create({ matchers: [{ name: 'key', op: '=', value: alert.key }], duration: '7d', comment: `${user.from}: ${user.name} 已处理，恢复后自动解除` }, new Date(atMs), `${user.via}:${user.id}`, {
        id: actionId,
        untilResolved: alert.key,
      });
    }
    await deps.acks.handled(alert.key, user, atMs);
    return { text: `✅ 已处理: ${user.name}`, claimed: true, done: true };
  }

  /** A Sentry issue is resolved in Sentry, whose issue.resolved webhook then brings the resolution as any other. */
  async function resolvedInSentry(alert: Alert): Promise<boolean> {
    const issue = /^sentry:(\d+)$/.exec(alert.key)?.[1];
    if (!issue || !deps.sentry) return false;
    const answer = await deps.sentry.resolve(issue);
    if (answer.ok) return true;
    if (!answer.permanent) throw new Error(`Sentry answered ${answer.status} resolving issue ${issue}: trying again`);
    deps.logger.error('Sentry refused to resolve the issue: reminders stop until it resolves instead', { issue, status: answer.status, hint: answer.hint });
    return false;
  }

  /** Every card about the problem, changed for all its recipients; the clicked one with the click's own code. */
  async function updateCards(alert: Alert, state: CardState, clicked?: { taskId: string; code?: string }) {
    const cards = await deps.cards.ofProblem(alert.key);
    const planned = [];
    for (const card of cards) {
      const code = card.taskId === clicked?.taskId && clicked.code ? clicked.code : await deps.cards.takeCode(card.taskId);
      if (!code) continue;
      const totals = await deps.problems.totals(card.alert.key);
      const change = state.done ? { replaceName: state.text } : { card: templateCardFor(card.alert, { taskId: card.taskId, tz: deps.tz, totals, state }) };
      planned.push({ data: { destinationId: card.destinationId, message: { kind: 'card-update' as const, alertId: card.alert.idempotencyKey, taskId: card.taskId, responseCode: code, ...change } }, jobId: hashId('card-update', card.taskId, code) });
    }
    await deps.enqueueDeliveries(planned);
    return planned.length;
  }

  return async function act(job: Job): Promise<string> {
    const { error } = actionJobSchema.validate(job.data);
    if (error) throw new UnrecoverableError(`not an action: ${error.message}`);
    const action = job.data as ActionJobData;
    const found = await alertOf(action);
    if (!found) {
      deps.logger.warn('action on a card or alert the gateway no longer knows (older than 72 h, or forgotten)', { via: action.via, user: action.userId });
      return 'unknown card';
    }
    const { alert } = found;
    const atMs = action.via === 'wecom' ? action.createTime * 1000 : action.atMs;
    const name = (action.via === 'console' ? action.name : undefined) ?? (await deps.memberName(action.userId)) ?? action.userId;
    const user: Actor = { id: action.userId, name, via: action.via, from: action.via === 'wecom' ? 'WeCom' : '控制台' };
    const actionId = hashId('action', String(job.id));
    let state: CardState;
    switch (action.eventKey) {
      case CARD_BUTTONS.claim.key:
        state = await claim(alert, user, atMs);
        break;
      case CARD_BUTTONS.silence.key:
        state = await silenceHour(alert, user, atMs, actionId);
        break;
      case CARD_BUTTONS.resolve.key:
        state = await resolve(alert, user, atMs, actionId);
        break;
      default:
        deps.logger.warn('unknown card button', { eventKey: action.eventKey.slice(0, 64) });
        return 'unknown button';
    }
    const updated = await updateCards(alert, state, action.via === 'wecom' ? { taskId: action.taskId, code: action.responseCode } : undefined);
    deps.logger.info('card action', { action: action.eventKey, via: action.via, user: user.id, key: alert.key, state: state.text, cardsUpdated: updated });
    return `${action.eventKey}: ${state.text} (${updated} card(s))`;
  };
}
