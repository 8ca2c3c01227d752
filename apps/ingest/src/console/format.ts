import { formatTime } from '@ng/core';

/** How the console says each value, in Chinese. */
export const FATE_WORDS: Record<string, string> = {
  queued: '已发送',
  duplicate: '重复 (计数)',
  digested: '进入汇总',
  merged: '风暴合并',
  silenced: '已静默',
  dropped: '未发送 (策略)',
};
export const SEVERITY_WORDS: Record<string, string> = { critical: '🚨 严重', warning: '⚠️ 警告', info: 'ℹ️ 提示' };
export const STATUS_WORDS: Record<string, string> = { firing: '🔴 告警中', unresolved: '🔴 复发', resolved: '✅ 已恢复', ignored: '🔕 已忽略', assigned: '👤 已指派' };
export const SOURCE_WORDS: Record<string, string> = { sentry: 'Sentry', alertmanager: 'Prometheus', test: '测试' };
export const OUTCOME_WORDS: Record<string, string> = { sent: '✅ 已送达', failed: '❌ 失败', 'will retry': '⏳ 将重试' };
export const PLAN_WORDS: Record<string, string> = { card: '单独发送', 'hourly digest': '每小时汇总', 'daily digest': '每日汇总', 'storm summary': '风暴合并' };

/** 'MM-DD HH:mm:ss' (this year) or 'YYYY-MM-DD HH:mm:ss', in DISPLAY_TZ; '-' when missing. */
export function when(iso: string | number | undefined, tz: string): string {
  const full = formatTime(iso, tz);
  if (!full) return '-';
  return full.slice(0, 4) === formatTime(Date.now(), tz)?.slice(0, 4) ? full.slice(5) : full;
}
