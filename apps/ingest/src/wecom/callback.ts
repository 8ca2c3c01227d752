import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { signatureMatches, wecomDecrypt, wecomKey, wecomSignature, WecomCryptoError } from '@ng/core';

/** Why a callback was refused: a closed set, a metric label and a log field. */
export type RejectReason = 'not_configured' | 'missing_params' | 'stale' | 'bad_signature' | 'bad_xml' | 'wrong_receiver' | 'bad_ciphertext' | 'replay';

export class CallbackRejected extends Error {
  constructor(
    readonly reason: RejectReason,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'CallbackRejected';
  }
}

/**
 * WeCom signs and sends within seconds and retries for seconds (reference/wecom-callbacks.md §1);
 * a request older than this, or from the future by as much, is a replay or a forgery.
 */
export const MAX_SKEW_SECONDS = 300;

const parser = new XMLParser({ processEntities: false, parseTagValue: false, ignoreDeclaration: true });

/**
 * XML as WeCom writes it, and nothing more: no DOCTYPE or entity declarations (no entity
 * expansion can happen), well formed, one <xml> root of plain elements.
 */
export function parseXml(text: string): Record<string, string> {
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) throw new CallbackRejected('bad_xml', 400, 'DOCTYPE and ENTITY declarations are refused');
  if (XMLValidator.validate(text) !== true) throw new CallbackRejected('bad_xml', 400, 'the body is not well-formed XML');
  const root = (parser.parse(text) as { xml?: unknown }).xml;
  if (!root || typeof root !== 'object') throw new CallbackRejected('bad_xml', 400, 'expected an <xml> root element');
  return Object.fromEntries(Object.entries(root).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
}

export interface CallbackSettings {
  token: string;
  aesKey: string;
  corpId: string;
}

/** The query WeCom signs with: every value one string. */
export function signedQuery(query: Record<string, unknown>): { signature: string; timestamp: string; nonce: string } {
  const one = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const signature = one(query.msg_signature);
  const timestamp = one(query.timestamp);
  const nonce = one(query.nonce);
  if (!signature || !timestamp || !nonce || !/^\d{1,12}$/.test(timestamp)) throw new CallbackRejected('missing_params', 400, 'msg_signature, timestamp and nonce are required');
  return { signature, timestamp, nonce };
}

/** Verifies freshness and signature, then decrypts for our corp id; throws CallbackRejected. */
export function openEnvelope(settings: CallbackSettings, query: { signature: string; timestamp: string; nonce: string }, encrypted: string, nowMs: number): string {
  if (Math.abs(nowMs / 1000 - Number(query.timestamp)) > MAX_SKEW_SECONDS) throw new CallbackRejected('stale', 403, `timestamp ${query.timestamp} is more than ${MAX_SKEW_SECONDS} s from now`);
  if (!signatureMatches(wecomSignature(settings.token, query.timestamp, query.nonce, encrypted), query.signature)) {
    throw new CallbackRejected('bad_signature', 401, 'msg_signature does not match: check WEIXIN_CALLBACK_TOKEN');
  }
  try {
    return wecomDecrypt(wecomKey(settings.aesKey), encrypted, settings.corpId);
  } catch (err) {
    if (err instanceof WecomCryptoError) throw new CallbackRejected(err.reason === 'wrong_receiver' ? 'wrong_receiver' : 'bad_ciphertext', 400, err.message);
    throw err;
  }
}
