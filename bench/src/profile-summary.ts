import fs from 'node:fs';
import path from 'node:path';

/**
 * Where a process spent its CPU: self time by package (or by file of our own code), as a
 * share of the busy time of every .cpuprofile in a folder that `BENCH_PROFILE=1 pnpm bench`
 * wrote. Usage: node bench/dist/profile-summary.js bench/results/profiles/<what> [rows]
 */
interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string } }>;
  samples: number[];
  timeDeltas: number[];
}

/** node_modules/.pnpm/<name>@<version>/… → name; our own dist files by package and file; the rest by kind. */
function placeOf({ functionName, url }: CpuProfile['nodes'][number]['callFrame']): string {
  const dependency = /node_modules\/\.pnpm\/(@[^+/]+\+[^@/]+|[^@/]+)@/.exec(url)?.[1];
  if (dependency) return dependency.replace('+', '/');
  const own = /\/(apps|packages)\/([^/]+)\/dist\/(.+)\.js$/.exec(url);
  if (own) return `${own[2]}/${own[3]}`;
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  return url ? url : functionName.startsWith('(') ? functionName : `native ${functionName}`;
}

function main() {
  const [dir, rowsArg] = process.argv.slice(2);
  if (!dir) throw new Error('usage: profile-summary <folder of .cpuprofile files> [rows]');
  const selfUs = new Map<string, number>();
  let busyUs = 0;
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
    profile.samples.forEach((id, i) => {
      const frame = byId.get(id);
      if (!frame || frame.functionName === '(idle)' || frame.functionName === '(program)') return;
      const us = profile.timeDeltas[i] ?? 0;
      busyUs += us;
      const place = placeOf(frame);
      selfUs.set(place, (selfUs.get(place) ?? 0) + us);
    });
  }
  const rows = [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, Number(rowsArg ?? 25));
  console.log(`${dir}: ${(busyUs / 1e6).toFixed(1)} s busy`);
  for (const [place, us] of rows) console.log(`${((100 * us) / busyUs).toFixed(1).padStart(5)} %  ${place}`);
}

main();
