import Table from 'cli-table3';
import type { Row, Status } from './row';

const MARK: Record<Status, string> = { ok: '✔ ok', warn: '! warn', fail: '✘ FAIL', skip: '- skip' };

/**
 * The rows as a table as wide as the terminal. cli-table3 measures Chinese and emoji as wide
 * characters and wraps long cells, which padding by hand gets wrong.
 */
export function renderTable(rows: Row[], columns: number): string {
  const width = Math.max(columns, 100) - 4 * 3 - 2;
  const mark = 8;
  const check = Math.min(36, Math.max(...rows.map((r) => r.check.length), 5) + 2);
  const rest = width - mark - check;
  const table = new Table({
    head: ['', 'check', 'found', 'what to fix'],
    colWidths: [mark, check, Math.floor(rest / 2), Math.ceil(rest / 2)],
    wordWrap: true,
    style: { head: [], border: [] },
  });
  for (const row of rows) table.push([MARK[row.status], row.check, row.found, row.fix ?? '']);
  return table.toString();
}
