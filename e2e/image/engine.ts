import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

/**
 * The container engine the image test drives: a Docker engine where one answers, else Debian's
 * buildah (build) and podman (run). Their run/logs/stop/inspect commands are the same; what
 * differs is said here once.
 */
export type EngineName = 'docker' | 'podman';

export interface Engine {
  name: EngineName;
  /** Builds `context` as `tag` in Docker format (OCI would drop HEALTHCHECK); minutes, so not blocking. */
  build(context: string, tag: string): Promise<void>;
  /** Starts a detached container on the host network; returns its id. readOnly: as Kubernetes runs it (read-only root, a tmpfs /tmp). */
  run(image: string, opts: { env: Record<string, string>; command?: string[]; readOnly?: boolean }): string;
  /** Runs a one-off command in a fresh container and returns its output. */
  exec(image: string, entrypoint: string, args: string[]): string;
  logs(container: string): string;
  /** Runs the image's HEALTHCHECK now; true = healthy. */
  healthy(container: string): boolean;
  /** SIGTERM, then SIGKILL after graceSec; resolves the exit code and how long the stop took. */
  stop(container: string, graceSec: number): { exitCode: number; ms: number };
  remove(container: string): void;
  imageSize(image: string): number;
  /** The image's configured user and healthcheck, as the engine reads them. */
  inspectImage(image: string): { user: string; healthcheck: string[] | undefined };
}

function cli(command: string, args: string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

export function pickEngine(): Engine {
  const wanted = process.env.IMAGE_ENGINE as EngineName | undefined;
  const name: EngineName = wanted ?? (spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0 ? 'docker' : 'podman');
  const run = (...args: string[]) => cli(name, args);
  return {
    name,
    async build(context, tag) {
      // buildah is podman's builder; docker builds with BuildKit or its classic builder.
      const [command, args] = name === 'podman' ? ['buildah', ['bud', '--format', 'docker', '--layers', '-t', tag, context]] : ['docker', ['build', '-t', tag, context]];
      await promisify(execFile)(command, args, { maxBuffer: 256 * 1024 * 1024 });
    },
    run(image, opts) {
      const env = Object.entries(opts.env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
      // podman schedules healthchecks with systemd timers, absent here: the test runs them itself.
      const health = name === 'podman' ? ['--health-interval', 'disable'] : [];
      const readOnly = opts.readOnly ? ['--read-only', '--tmpfs', '/tmp'] : [];
      return run('run', '-d', '--network', 'host', ...health, ...readOnly, ...env, image, ...(opts.command ?? [])).trim();
    },
    exec(image, entrypoint, args) {
      return run('run', '--rm', '--network', 'none', '--entrypoint', entrypoint, image, ...args);
    },
    logs(container) {
      const out = spawnSync(name, ['logs', container], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      return `${out.stdout}${out.stderr}`;
    },
    healthy(container) {
      if (name === 'podman') return spawnSync('podman', ['healthcheck', 'run', container], { stdio: 'ignore' }).status === 0;
      // Docker runs the HEALTHCHECK on its own schedule; ask it to run the same command now.
      const test = JSON.parse(run('inspect', '--format', '{{json .Config.Healthcheck.Test}}', container)) as string[];
      return spawnSync('docker', ['exec', container, ...test.slice(1)], { stdio: 'ignore' }).status === 0;
    },
    stop(container, graceSec) {
      const started = Date.now();
      run('stop', '-t', String(graceSec), container);
      const ms = Date.now() - started;
      return { exitCode: Number(run('inspect', '--format', '{{.State.ExitCode}}', container).trim()), ms };
    },
    remove(container) {
      spawnSync(name, ['rm', '-f', container], { stdio: 'ignore' });
    },
    imageSize(image) {
      return Number(run('image', 'inspect', '--format', '{{.Size}}', image).trim());
    },
    inspectImage(image) {
      const user = run('image', 'inspect', '--format', '{{.Config.User}}', image).trim();
      // podman shows the Docker-format HEALTHCHECK at the top level, docker inside Config.
      const field = name === 'podman' ? '{{json .HealthCheck}}' : '{{json .Config.Healthcheck}}';
      const healthcheck = JSON.parse(run('image', 'inspect', '--format', field, image)) as { Test?: string[] } | null;
      return { user, healthcheck: healthcheck?.Test };
    },
  };
}
