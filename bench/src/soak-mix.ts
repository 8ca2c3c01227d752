/**
 * The soak's traffic: Alertmanager v4 webhooks, one alert each (what Alertmanager sends with
 * `group_by: [alertname, instance]`), drawn from a seeded generator so every run sends the same
 * sequence. Per alert:
 *
 *   74 %  a resend: one of STANDING problems' last notification again, unchanged (Alertmanager's
 *         group_interval and repeat_interval, the second replica of an HA pair). Same job id:
 *         ingest answers 202 and BullMQ keeps the one job it has.
 *   10 %  a standing problem firing again with a new startsAt while it fires (a Prometheus
 *         restart resets the rule's activeAt): a new job, which the worker's dedup counts
 *         (DEDUP_WINDOW) or sends once the window has passed.
 *    6 %  a standing problem changes state: firing → resolved (endsAt now), or resolved →
 *         firing with a new startsAt.
 *   10 %  a new distinct alert: a one-off that is never seen again (a crash-looping pod of its
 *         own name), firing.
 *
 * Severity: of the 300 standing problems 10 are critical, 230 warning, 60 info; of the one-offs
 * 2 % critical, 70 % warning, 28 % info. So about 3 % of alerts are critical (sent at once, and
 * storm-merged past STORM_THRESHOLD), most are warnings (hourly digest), some info (daily).
 * About 26 % of alerts make a new job: 26 a second at 100 alerts/s, below the 100,000 completed
 * jobs BullMQ keeps in an hour, so no job id a resend relies on is gone.
 */
export const STANDING = 300;

const RULES = ['HostHighCpuLoad', 'HostOutOfMemory', 'HostDiskWillFillIn24Hours', 'NodeFilesystemAlmostOutOfFiles', 'HighRequestLatency', 'HttpErrorRateHigh', 'PostgresReplicationLag', 'RedisMemoryHigh', 'KafkaConsumerLag', 'ContainerRestarting', 'CertificateExpiresSoon', 'TargetDown'];
const SERVICES = ['recommendation-api', 'payments-api', 'search', 'gateway', 'user-center', 'report-job'];

/** mulberry32: small, fast, and the same sequence on every machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Severity = 'critical' | 'warning' | 'info';

interface Entry {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

interface Problem {
  labels: Record<string, string>;
  fingerprint: string;
  last?: Entry;
}

/** What one draw is, for the soak's own accounting (the gateway's is checked against it). */
export type Draw = 'resend' | 'refire' | 'state-change' | 'one-off' | 'first';

const ZERO_TIME = '0001-01-01T00:00:00Z';
const hex16 = (n: number) => n.toString(16).padStart(16, '0');

function labelsFor(n: number, severity: Severity, rule: string, instance: string): Record<string, string> {
  return { alertname: rule, severity, instance, job: 'node', env: 'production', service: SERVICES[n % SERVICES.length] };
}

export function createMix(seed = 15) {
  const rand = random(seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)];
  const problems: Problem[] = Array.from({ length: STANDING }, (_, n) => {
    const severity: Severity = n < 10 ? 'critical' : n < 240 ? 'warning' : 'info';
    return { labels: labelsFor(n, severity, RULES[n % RULES.length], `node-${n}:9100`), fingerprint: hex16(0x5000 + n) };
  });
  let oneOffs = 0;
  // Each new startsAt or endsAt a millisecond later than the last: two notifications of one
  // problem never share an identity by accident.
  let lastMs = 0;
  const now = () => new Date((lastMs = Math.max(Date.now(), lastMs + 1))).toISOString();

  const entry = (p: Pick<Problem, 'labels' | 'fingerprint'>, status: Entry['status'], startsAt: string, endsAt = ZERO_TIME): Entry => ({
    status,
    labels: p.labels,
    annotations: { summary: `${p.labels.alertname} on ${p.labels.instance}`, description: `${p.labels.service}: see the runbook` },
    startsAt,
    endsAt,
    generatorURL: `http://prometheus:9090/graph?g0.expr=${encodeURIComponent(p.labels.alertname)}`,
    fingerprint: p.fingerprint,
  });

  function draw(): { kind: Draw; entry: Entry } {
    const r = rand();
    if (r < 0.1) {
      const n = oneOffs++;
      const s = rand();
      const severity: Severity = s < 0.02 ? 'critical' : s < 0.72 ? 'warning' : 'info';
      const oneOff = { labels: { ...labelsFor(n, severity, 'KubePodCrashLooping', `node-${n % 50}:9100`), pod: `worker-${n.toString(36)}` }, fingerprint: hex16(0x1_0000_0000 + n) };
      return { kind: 'one-off', entry: entry(oneOff, 'firing', now()) };
    }
    const p = pick(problems);
    let kind: Draw;
    if (!p.last) {
      kind = 'first';
      p.last = entry(p, 'firing', now());
    } else if (r < 0.16 || (r < 0.26 && p.last.status === 'resolved')) {
      kind = 'state-change';
      p.last = p.last.status === 'firing' ? entry(p, 'resolved', p.last.startsAt, now()) : entry(p, 'firing', now());
    } else if (r < 0.26) {
      kind = 'refire';
      p.last = entry(p, 'firing', now());
    } else {
      kind = 'resend';
    }
    return { kind, entry: p.last };
  }

  return {
    /** The next webhook's body and what it is. */
    next(): { kind: Draw; severity: string; body: string } {
      const { kind, entry: e } = draw();
      const body = JSON.stringify({
        receiver: 'gateway',
        status: e.status,
        alerts: [e],
        groupLabels: { alertname: e.labels.alertname, instance: e.labels.instance },
        commonLabels: e.labels,
        commonAnnotations: e.annotations,
        externalURL: 'http://alertmanager:9093',
        version: '4',
        groupKey: `{}:{alertname="${e.labels.alertname}", instance="${e.labels.instance}"}`,
        truncatedAlerts: 0,
      });
      return { kind, severity: e.labels.severity, body };
    },
  };
}
