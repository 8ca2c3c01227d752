import fs from 'node:fs';
import readline from 'node:readline';

/** What one process's whole log says: lines by level, its error lines, the WeCom messages it sent. */
export interface LogSummary {
  lines: number;
  byLevel: Record<string, number>;
  /** The first error-level lines (JSON level "error"), and lines that are not the gateway's JSON at all (a crash's stack trace). */
  errors: string[];
  errorCount: number;
  foreign: string[];
  foreignCount: number;
  /** 消息发送成功 lines and the WeCom messages they sent (a long message goes in parts). */
  sent: number;
  sentParts: number;
}

const KEEP = 5;

/** Reads the file line by line: an hour's log is too large to hold. */
export async function summarizeLog(file: string): Promise<LogSummary> {
  const out: LogSummary = { lines: 0, byLevel: {}, errors: [], errorCount: 0, foreign: [], foreignCount: 0, sent: 0, sentParts: 0 };
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line) continue;
    out.lines++;
    // Text that follows a JSON line (a dry-run card) is indented; anything else not JSON is foreign.
    if (!line.startsWith('{')) {
      if (!line.startsWith(' ')) {
        out.foreignCount++;
        if (out.foreign.length < KEEP) out.foreign.push(line.slice(0, 500));
      }
      continue;
    }
    let entry: { level?: string; message?: string; parts?: number };
    try {
      entry = JSON.parse(line);
    } catch {
      out.foreignCount++;
      if (out.foreign.length < KEEP) out.foreign.push(line.slice(0, 500));
      continue;
    }
    const level = entry.level ?? 'none';
    out.byLevel[level] = (out.byLevel[level] ?? 0) + 1;
    if (level === 'error') {
      out.errorCount++;
      if (out.errors.length < KEEP) out.errors.push(line.slice(0, 500));
    }
    if (entry.message === '消息发送成功') {
      out.sent++;
      out.sentParts += entry.parts ?? 1;
    }
  }
  return out;
}
