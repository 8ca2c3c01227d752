import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../..');

/**
 * Checks JSON documents against a library's TypeScript types by compiling them as object
 * literals: the compiler then rejects unknown fields (excess-property checks), wrong types and
 * missing required fields, which is how the deployment files are held to Grafana's and
 * Kubernetes' schemas without a server. Returns the compiler's complaints, [] when it accepts.
 */
export function typecheckLiterals(imports: string[], documents: Array<{ type: string; value: unknown }>): string[] {
  // Inside e2e, so the imports resolve from its node_modules.
  const dir = fs.mkdtempSync(path.join(__dirname, '.typecheck-'));
  try {
    const file = path.join(dir, 'documents.ts');
    const body = documents.map((d, i) => `export const doc${i}: ${d.type} = ${JSON.stringify(d.value)};`);
    fs.writeFileSync(file, [...imports, ...body].join('\n'));
    const tsc = path.join(root, 'node_modules/.bin/tsc');
    execFileSync(tsc, ['--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', file], { encoding: 'utf8', stdio: 'pipe' });
    return [];
  } catch (err) {
    const out = (err as { stdout?: string }).stdout;
    if (!out) throw err;
    return out.trim().split('\n');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
