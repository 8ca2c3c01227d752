import { median } from '@ng/testkit';
import type { Sample } from './sample';

/** Growth past this, from the end of warm-up to the end, is not flat. */
export const FLAT_LIMIT_PCT = 5;

/**
 * The windows compared: warm-up is the run's first 10 %, at least a minute, unless said
 * otherwise; the first window starts where it ends and the last ends with the run, each as long
 * as the warm-up (at most half of what is left, so they never overlap).
 */
export function windowsOf(runSeconds: number, warmupS = Math.max(60, runSeconds * 0.1)) {
  const windowS = Math.min(warmupS, (runSeconds - warmupS) / 2);
  return { warmupS, first: [warmupS, warmupS + windowS] as const, last: [runSeconds - windowS, runSeconds] as const };
}

export type Windows = ReturnType<typeof windowsOf>;

export interface Growth {
  /** Median of the first and of the last window, and how many samples each held. */
  first: number;
  last: number;
  firstSamples: number;
  lastSamples: number;
  growthPct: number;
  flat: boolean;
}

/** How much one series grew between the two windows, median against median. */
export function growthOf(samples: Sample[], value: (s: Sample) => number, w: Windows): Growth {
  // Samples are taken on 10 s ticks, a few ms late: compared on whole seconds. The first window
  // takes its start, the last its end, so a sample on a shared edge counts once; the last runs
  // to the last sample (the one taken as the load ended).
  const at = (s: Sample) => Math.round(s.t);
  const a = samples.filter((s) => at(s) >= w.first[0] && at(s) < w.first[1]).map(value).filter(Number.isFinite);
  const b = samples.filter((s) => at(s) > w.last[0]).map(value).filter(Number.isFinite);
  const first = a.length ? median(a) : NaN;
  const last = b.length ? median(b) : NaN;
  const growthPct = ((last - first) / first) * 100;
  // Fewer than 3 samples in a window is no median worth the name: not flat, whatever it says.
  return { first, last, firstSamples: a.length, lastSamples: b.length, growthPct, flat: a.length >= 3 && b.length >= 3 && growthPct < FLAT_LIMIT_PCT };
}

export interface Verdict {
  what: string;
  pass: boolean;
  detail: string;
}

export function verdictLine(v: Verdict): string {
  return `${v.pass ? 'PASS' : 'FAIL'}  ${v.what}: ${v.detail}`;
}
