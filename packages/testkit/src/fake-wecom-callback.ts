import { randomInt } from 'node:crypto';
import { wecomDecrypt, wecomEncrypt, wecomKey, wecomSignature } from '@ng/core';
import { pressableKeys, renderCard } from './fake-wecom-card-rules';
import { cardFor, issueResponseCode } from './fake-wecom-cards';
import type { FakeState } from './fake-wecom-common';

/**
 * The click player: a member pressing a button of a template card, sent to the app's callback
 * URL exactly as WeCom sends it (reference/wecom-callbacks.md §1 and §4) — the
 * template_card_event XML, encrypted with the EncodingAESKey for the corp id, wrapped in
 * <xml><ToUserName/><Encrypt/><AgentID/></xml>, POSTed with msg_signature (sha1 of the sorted
 * token, timestamp, nonce and ciphertext), timestamp and nonce.
 */
export interface Click {
  userid: string;
  taskId: string;
  eventKey: string;
  /** Send the identical request this many more times (WeCom retries when an answer is slow; at most 3). */
  retries?: number;
  /** Press a key the member's card no longer shows (a click that crossed an update in flight). */
  force?: boolean;
  /** How long to wait for each answer; WeCom waits 5 s. */
  timeoutMs?: number;
}

export interface CallbackAnswer {
  /** The gateway's HTTP status; null when it did not answer (error says why). */
  status: number | null;
  body: string;
  error?: string;
}

export interface ClickResult extends CallbackAnswer {
  /** Every request sent: the first, then each retry. */
  answers: CallbackAnswer[];
  /** The gateway's encrypted passive reply, decrypted (only the clicking member's card changes). */
  reply?: { xml: string; signatureOk: boolean } | { error: string };
  /** The event as WeCom built it, before encryption. */
  event: { xml: string; responseCode: string; createTime: number };
  request: { url: string; body: string };
}

/** A click no member could make: the control API answers 400 with the message. */
export class ClickRefused extends Error {}

const cdata = (s: string) => `<![CDATA[${s.replace(/]]>/g, ']]]]><![CDATA[>')}]]>`;

/** One element's text, CDATA or plain (WeCom's XML has no nesting in the fields read here). */
export function xmlField(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>\\s*(?:<!\\[CDATA\\[([\\s\\S]*?)\\]\\]>|([^<]*))\\s*</${tag}>`).exec(xml);
  return m ? (m[1] ?? m[2]) : undefined;
}

function passiveReply(state: FakeState, body: string, click: Click): ClickResult['reply'] {
  const callback = state.callback!;
  const encrypted = xmlField(body, 'Encrypt');
  if (!encrypted) return undefined;
  const signature = xmlField(body, 'MsgSignature') ?? '';
  const signatureOk = wecomSignature(callback.token, xmlField(body, 'TimeStamp') ?? '', xmlField(body, 'Nonce') ?? '', encrypted) === signature;
  let xml: string;
  try {
    xml = wecomDecrypt(wecomKey(callback.aesKey), encrypted, state.corpId);
  } catch (e) {
    return { error: `the passive reply does not decrypt: ${(e as Error).message}` };
  }
  // "更新点击用户的按钮文案": a signed update_button greys the clicking member's buttons only.
  const name = xmlField(xml, 'ReplaceName');
  const view = state.cards.tasks.get(click.taskId)?.views;
  const key = view && [...view.keys()].find((u) => u.toLowerCase() === click.userid.toLowerCase());
  if (signatureOk && xmlField(xml, 'MsgType') === 'update_button' && name && key) {
    view.set(key, { card: view.get(key)!.card, greyed: name, text: renderCard(view.get(key)!.card, name), updatedAt: state.now() });
  }
  return { xml, signatureOk };
}

async function post(url: string, body: string, timeoutMs: number): Promise<CallbackAnswer> {
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'text/xml' }, body, signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, body: await res.text() };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    const timedOut = (e as Error).name === 'TimeoutError';
    return { status: null, body: '', error: timedOut ? `no answer within ${timeoutMs} ms (WeCom would retry)` : `cannot reach ${url} (${cause ?? (e as Error).message})` };
  }
}

/** Plays one click; throws ClickRefused when the member could not have made it. */
export async function playClick(state: FakeState, click: Click): Promise<ClickResult> {
  const callback = state.callback;
  if (!callback) throw new ClickRefused('no callback is set: POST /__fake/settings {"callback":{"url","token","aesKey"}} (or the callback option / FAKE_WECOM_CALLBACK_*)');
  const view = cardFor(state, click.taskId, click.userid);
  if (!view) throw new ClickRefused(`${click.userid} never got a card with task_id "${click.taskId}": a member can only click the cards they received`);
  const keys = pressableKeys(view.card, view.greyed);
  if (!click.force && !keys.includes(click.eventKey)) {
    const greyed = view.greyed ?? (view.card.replace_text as string | undefined);
    if (keys.length) throw new ClickRefused(`${click.userid}'s card has no button with key "${click.eventKey}" (its keys: ${keys.join(', ')})`);
    throw new ClickRefused(greyed ? `the buttons of ${click.userid}'s card are greyed out ("${greyed}")` : `${click.userid}'s card (${view.card.card_type}) has no button that calls back`);
  }
  state.clicks++;
  const task = state.cards.tasks.get(click.taskId)!;
  const userid = [...task.views.keys()].find((u) => u.toLowerCase() === click.userid.toLowerCase())!;
  const responseCode = issueResponseCode(state, task.taskId, 'click', userid);
  const createTime = Math.floor(state.now() / 1000);
  const xml =
    `<xml><ToUserName>${cdata(state.corpId)}</ToUserName><FromUserName>${cdata(userid)}</FromUserName><CreateTime>${createTime}</CreateTime>` +
    `<MsgType>${cdata('event')}</MsgType><Event>${cdata('template_card_event')}</Event><EventKey>${cdata(click.eventKey)}</EventKey>` +
    `<TaskId>${cdata(task.taskId)}</TaskId><CardType>${cdata(task.cardType)}</CardType><ResponseCode>${cdata(responseCode)}</ResponseCode>` +
    `<AgentID>${state.agentId}</AgentID></xml>`;
  const encrypted = wecomEncrypt(wecomKey(callback.aesKey), xml, state.corpId);
  const timestamp = String(createTime);
  const nonce = String(randomInt(1e9, 1e10));
  const url = new URL(callback.url);
  url.searchParams.set('msg_signature', wecomSignature(callback.token, timestamp, nonce, encrypted));
  url.searchParams.set('timestamp', timestamp);
  url.searchParams.set('nonce', nonce);
  const body = `<xml><ToUserName>${cdata(state.corpId)}</ToUserName><Encrypt>${cdata(encrypted)}</Encrypt><AgentID>${cdata(String(state.agentId))}</AgentID></xml>`;
  const answers: CallbackAnswer[] = [];
  for (let i = 0; i <= Math.min(click.retries ?? 0, 3); i++) answers.push(await post(url.toString(), body, click.timeoutMs ?? 5000));
  const first = answers[0];
  const reply = first.status === 200 ? passiveReply(state, first.body, click) : undefined;
  return { ...first, answers, ...(reply ? { reply } : {}), event: { xml, responseCode, createTime }, request: { url: url.toString(), body } };
}
