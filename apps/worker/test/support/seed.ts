import fs from 'node:fs';
import path from 'node:path';

const RULE = '━━━━━━━━━━━━━━━━';

/** A card of the seed: from its header line through its closing rule, exactly as written. */
function cardStartingWith(lines: string[], header: string): string {
  const start = lines.findIndex((l) => l.startsWith(header));
  const end = lines.findIndex((l, i) => i > start + 1 && l === RULE);
  if (start < 0 || end < 0) throw new Error(`seed card "${header}" not found in the seed guide`);
  return lines.slice(start, end + 1).join('\n');
}

/** The two message cards of the seed guide (section 4). */
export function seedCards(): { sentry: string; alertmanager: string } {
  const seed = fs.readFileSync(path.resolve(__dirname, '../../../../packages/core/test/fixtures/seed-guide.md'), 'utf8');
  const lines = seed.split('\n');
  return { sentry: cardStartingWith(lines, '🆕 [Sentry 应用告警]'), alertmanager: cardStartingWith(lines, '🔥 [FIRING]') };
}
