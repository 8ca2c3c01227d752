// The suite drives real programs: docker-compose validates docker-compose.yml, Debian's
// prometheus-alertmanager notifies the gateway, redis-server backs the chaos scenarios and the
// start-up checks, openssl makes their TLS certificate, promtool (Debian's prometheus) checks the
// alerting rules and the dashboard, kubectl (kubernetes-client) renders the Kubernetes manifests,
// chromium opens the console.
// A missing one is installed with apt-get where this user can (root on Debian, like CI);
// otherwise one clear line says what to install.
import { execFileSync, spawnSync } from 'node:child_process';

const TOOLS = [
  { command: 'docker-compose', pkg: 'docker-compose', why: 'validates docker-compose.yml' },
  { command: 'prometheus-alertmanager', pkg: 'prometheus-alertmanager', why: 'a real Alertmanager for the end-to-end test' },
  { command: 'redis-server', pkg: 'redis-server', why: 'Redis servers of the chaos suite and the start-up checks (restart, Cluster, Sentinel, TLS)' },
  { command: 'openssl', pkg: 'openssl', why: 'a TLS certificate for the start-up checks' },
  { command: 'promtool', pkg: 'prometheus', why: 'checks docs/prometheus-rules.yml and every dashboard expression' },
  { command: 'kubectl', pkg: 'kubernetes-client', why: 'renders deploy/kubernetes (kubectl kustomize)' },
  { command: 'chromium', pkg: 'chromium', why: "a real browser for the console's test (driven by playwright-core)" },
];

const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const missing = TOOLS.filter((t) => !has(t.command));
if (missing.length === 0) process.exit(0);

const pkgs = missing.map((t) => t.pkg);
const canInstall = process.getuid?.() === 0 && has('apt-get');
if (canInstall) {
  console.error(`installing ${pkgs.join(', ')} for the tests (${missing.map((t) => t.why).join('; ')})…`);
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    execFileSync('apt-get', ['install', '-y', '-qq', ...pkgs], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  } catch {
    // reported below
  }
}
const still = TOOLS.filter((t) => !has(t.command));
if (still.length > 0) {
  console.error(`The tests need ${still.map((t) => `${t.command} (${t.why})`).join(', ')}: sudo apt-get install ${still.map((t) => t.pkg).join(' ')}`);
  process.exit(1);
}
