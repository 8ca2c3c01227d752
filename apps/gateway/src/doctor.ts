import { renderTable } from './doctor/table';
import { runDoctor } from './doctor/run';

/**
 * `pnpm doctor` (in the image: node dist/doctor.js): checks the settings a new operator gets
 * wrong and prints a table of what to fix. Exit 0 when nothing failed (warnings allowed), 1
 * when something must be fixed, 2 for a wrong command line.
 */
const USAGE = 'usage: doctor [--send]\n  --send  also post a test message to every WeCom destination (without it nothing is sent)';

async function main(args: string[]) {
  const unknown = args.filter((a) => a !== '--send' && a !== '--help');
  if (args.includes('--help') || unknown.length) {
    if (unknown.length) console.error(`doctor: unknown option ${unknown.join(' ')}`);
    console.error(USAGE);
    process.exit(unknown.length ? 2 : 0);
  }
  const rows = await runDoctor(process.env, { send: args.includes('--send') });
  const failed = rows.filter((r) => r.status === 'fail').length;
  const warned = rows.filter((r) => r.status === 'warn').length;
  // A terminal's width, else COLUMNS (as shells export it), else 120.
  const columns = process.stdout.columns || Number(process.env.COLUMNS) || 120;
  process.stdout.write(`${renderTable(rows, columns)}\n${failed ? `${failed} to fix` : 'nothing to fix'}${warned ? `, ${warned} warning${warned > 1 ? 's' : ''}` : ''}\n`);
  process.exit(failed ? 1 : 0);
}
void main(process.argv.slice(2));
