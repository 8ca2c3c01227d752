import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The repository root (testkit lives in packages/testkit/dist). */
export const root = path.resolve(__dirname, '../../..');

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A child process with its output kept, CPU time and peak RSS read from /proc. */
export interface Proc {
  child: ChildProcess;
  /** Where its stdout and stderr go, whole (output() reads only the last megabyte). */
  logFile: string;
  output(): string;
  cpuSeconds(): number;
  peakRssMb(): number;
  stop(): Promise<void>;
}

const TICKS = 100; // USER_HZ on Linux

/** Current resident size of a process, in MB. */
export function currentRssMb(pid: number | undefined): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

function readStat(pid: number): { cpu: number; rssMb: number } {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS;
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return { cpu, rssMb: hwm ? Number(hwm[1]) / 1024 : 0 };
  } catch {
    return { cpu: 0, rssMb: 0 };
  }
}

export function startProc(file: string, env: Record<string, string>, opts: { nodeArgs?: string[]; args?: string[] } = {}): Proc {
  // Output goes straight to a file, as with docker's log driver: no reader process pays for it,
  // and a child never blocks on a full pipe.
  const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'proc-')), 'output.log');
  const fd = fs.openSync(logFile, 'a');
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), file, ...(opts.args ?? [])], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const out = () => {
    const size = fs.statSync(logFile).size;
    const from = Math.max(0, size - 1_000_000);
    const buffer = Buffer.alloc(size - from);
    const handle = fs.openSync(logFile, 'r');
    fs.readSync(handle, buffer, 0, buffer.length, from);
    fs.closeSync(handle);
    return buffer.toString('utf8');
  };
  let last = { cpu: 0, rssMb: 0 };
  const sample = () => {
    if (child.pid && child.exitCode === null) last = readStat(child.pid);
  };
  const timer = setInterval(sample, 200);
  return {
    child,
    logFile,
    output: out,
    cpuSeconds: () => (sample(), last.cpu),
    peakRssMb: () => (sample(), last.rssMb),
    async stop() {
      sample();
      clearInterval(timer);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export async function waitForOutput(proc: Proc, text: string | RegExp, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(typeof text === 'string' ? proc.output().includes(text) : text.test(proc.output()))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${text} in:\n${proc.output().slice(-2000)}`);
    await sleep(20);
  }
}

/**
 * The fake WeCom in its own process (benchmarks, chaos suite), steered through its HTTP control
 * API; env takes the FAKE_WECOM_* settings of `pnpm fake-wecom`.
 */
export async function startFakeWecomProc(env: Record<string, string> = {}) {
  const proc = startProc(path.join(root, 'packages/testkit/dist/fake-wecom-main.js'), { FAKE_WECOM_PORT: '0', FAKE_WECOM_PRINT: '0', ...env });
  await waitForOutput(proc, /listening on http:\/\/\S+/);
  const url = /listening on (http:\/\/\S+)/.exec(proc.output())![1];
  const control = async (method: 'GET' | 'POST', pathname: string, body?: unknown) => {
    const res = await fetch(`${url}/__fake/${pathname}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new Error(`fake WeCom ${pathname}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  return {
    proc,
    url,
    async command(cmd: 'down' | 'expireTokens' | 'script', ...args: unknown[]): Promise<void> {
      if (cmd === 'down') await (args[0] === null ? control('POST', 'up', {}) : control('POST', 'down', { mode: args[0] }));
      if (cmd === 'expireTokens') await control('POST', 'expire-tokens', {});
      if (cmd === 'script') await control('POST', 'script', { api: args[0], answers: args[1] });
    },
    stats(): Promise<{ accepted: number; gettokenCalls: number; sendCalls: number; robotCalls: number; messages: Array<{ at: number; content: string }> }> {
      return control('GET', 'stats');
    },
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}
