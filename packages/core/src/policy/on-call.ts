import { mentionOf, onCall, type Member } from '../oncall';
import type { Policy } from './types';

export interface OnCallMention {
  member: Member;
  mentions: string[];
  mentionMobiles: string[];
}

/**
 * Who of a policy's rotation is to be @-mentioned at atMs: the member on call now, or the one
 * after them (an escalation). Undefined for a rotation the policy no longer has (a reload
 * removed it): the card still goes, without the mention.
 */
export function onCallMention(policy: Policy, rotationId: string, atMs: number, tz: string, which: 'now' | 'next' = 'now'): OnCallMention | undefined {
  const rotation = policy.rotations.find((r) => r.id === rotationId);
  if (!rotation) return undefined;
  const { member } = onCall(rotation, atMs, tz)[which];
  return { member, ...mentionOf(member) };
}
