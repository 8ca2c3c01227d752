import type { AlertStatus, Severity } from '../alert';

/** The seed's rule line (section 4): sixteen U+2501. */
export const RULE_LINE = '━'.repeat(16);

/** The seed's severity table: 🚨 Critical, ⚠️ Warning, ℹ️ Info. */
export const SEVERITY_ICON: Record<Severity, string> = { critical: '🚨', warning: '⚠️', info: 'ℹ️' };

/** Sentry level words; the seed shows `🔥 级别: ERROR`. */
export const LEVEL_ICON: Record<string, string> = { fatal: '🔥', error: '🔥', warning: '⚠️', info: 'ℹ️', debug: 'ℹ️' };

/** 状态 as the on-call engineer reads it, on cards and in digests alike. */
export const STATUS_WORD: Record<AlertStatus, string> = {
  firing: '🔴 未解决',
  unresolved: '🔴 未解决 (复发)',
  resolved: '✅ 已解决',
  ignored: '🔕 已忽略',
  assigned: '👤 已指派',
};

/**
 * WeCom markdown has three colours only: warning (orange-red), comment (grey), info (green).
 * Green means "fine", so it is kept for resolved. Warnings stay orange-red like criticals: grey
 * reads as "ignore me", and the icon (🚨 / ⚠️) already tells the two apart. Info, ignored and
 * assigned are grey: nothing to do right now.
 */
export function colourOf(severity: Severity, status: AlertStatus): 'warning' | 'comment' | 'info' {
  if (status === 'resolved') return 'info';
  if (status === 'ignored' || status === 'assigned' || severity === 'info') return 'comment';
  return 'warning';
}

/** Sentry's performance issue types (issueType) as an on-call engineer reads them. */
const PERFORMANCE_KIND: Record<string, string> = {
  performance_n_plus_one_db_queries: 'N+1 数据库查询',
  performance_n_plus_one_api_calls: 'N+1 API 调用',
  performance_m_n_plus_one_db_queries: 'MN+1 数据库查询',
  performance_slow_db_query: '慢数据库查询',
  performance_consecutive_db_queries: '串行数据库查询',
  performance_consecutive_http: '串行 HTTP 请求',
  performance_file_io_main_thread: '主线程文件 I/O',
  performance_db_main_thread: '主线程数据库查询',
  performance_render_blocking_asset_span: '阻塞渲染的资源',
  performance_uncompressed_assets: '未压缩的资源',
  performance_large_http_payload: '过大的 HTTP 响应',
  performance_http_overhead: 'HTTP 开销过大',
  performance_endpoint_regression: '接口性能退化',
  performance_p95_endpoint_regression: '接口 P95 性能退化',
};

/** Which kind of performance problem a Sentry issue is; undefined for everything else. */
export function performanceKind(alert: { category?: string; issueType?: string }): string | undefined {
  const type = alert.issueType ?? '';
  if (alert.category !== 'performance' && !type.startsWith('performance_')) return undefined;
  return PERFORMANCE_KIND[type] ?? (type.replace(/^performance_/, '').replace(/_/g, ' ') || '性能问题');
}
