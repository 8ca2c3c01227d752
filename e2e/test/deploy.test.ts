import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ALL_SETTINGS } from '@ng/core';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/**
 * docker-compose (v1, Debian's package: `config` needs no engine) on a copy of the file, with the
 * given .env (none at all by default) and the shell environment reduced to PATH, so nothing on
 * this machine leaks in.
 */
function composeConfig(dotenv?: string, args: string[] = []): Record<string, any> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-'));
  try {
    fs.copyFileSync(path.join(root, 'docker-compose.yml'), path.join(dir, 'docker-compose.yml'));
    if (dotenv !== undefined) fs.writeFileSync(path.join(dir, '.env'), dotenv);
    const run = (extra: string[]) => execFileSync('docker-compose', [...args, 'config', ...extra], { cwd: dir, encoding: 'utf8', stdio: 'pipe', env: { PATH: process.env.PATH } });
    run(['-q']);
    return YAML.parse(run([]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** What `up` starts with these profiles active (v1's `config` lists profiled services too). */
function started(config: Record<string, any>, profiles: string[] = []): string[] {
  return Object.entries(config.services as Record<string, { profiles?: string[] }>)
    .filter(([, service]) => !service.profiles || service.profiles.some((p) => profiles.includes(p)))
    .map(([name]) => name)
    .sort();
}

describe('docker-compose.yml', () => {
  it('starts without a .env: Redis and the gateway all-in-one on :9000, Redis bounded and never evicting', () => {
    const config = composeConfig();
    expect(started(config)).toEqual(['gateway', 'redis']);
    const redis = config.services.redis;
    expect(redis.image).toMatch(/^redis:7/);
    expect(redis.command.join(' ')).toContain('--appendonly yes --appendfsync everysec --maxmemory 1gb --maxmemory-policy noeviction');
    expect(String(redis.volumes[0].source ?? redis.volumes[0])).toMatch(/^redis-data/);
    expect(redis.healthcheck.test).toContain('ping');
    const gateway = config.services.gateway;
    expect(gateway).toMatchObject({ container_name: 'notification-gateway', restart: 'unless-stopped', init: true, command: ['node', 'dist/main.js'] });
    expect(gateway.ports[0]).toMatchObject({ target: 9000, published: 9000 });
    expect(gateway.depends_on.redis.condition).toBe('service_healthy');
    expect(gateway.healthcheck.test).toEqual(['CMD', 'node', 'dist/healthcheck.js']);
    expect(gateway.environment.REDIS_URL).toBe('redis://redis:6379');
  });

  it('with .env.example copied to .env: the same all-in-one start', () => {
    const config = composeConfig(read('.env.example'));
    expect(started(config)).toEqual(['gateway', 'redis']);
    expect(config.services.gateway.ports[0]).toMatchObject({ target: 9000, published: 9000 });
  });

  it('passes every setting of the table on to the gateway, empty (the default) unless set', () => {
    const { environment } = composeConfig().services.gateway;
    for (const setting of ALL_SETTINGS) expect(environment, setting.name).toHaveProperty(setting.name);
    expect(environment.WEIXIN_CORP_ID).toBe('');
  });

  it('any PORT and METRICS_PORT: published and listened on alike, and the healthcheck reads the same settings', () => {
    const config = composeConfig('PORT=8080\nMETRICS_PORT=9200\nREDIS_MAXMEMORY=2gb\nWEIXIN_CORP_ID=ww42\n', ['--profile', 'split']);
    const { gateway, worker, redis } = config.services;
    expect(gateway.ports[0]).toMatchObject({ target: 8080, published: 8080 });
    expect(gateway.environment).toMatchObject({ PORT: '8080', WEIXIN_CORP_ID: 'ww42' });
    expect(worker.environment.METRICS_PORT).toBe('9200');
    expect(worker.healthcheck.test).toEqual(['CMD', 'node', 'dist/healthcheck.js']);
    expect(redis.command.join(' ')).toContain('--maxmemory 2gb');
  });

  it('profile split adds worker replicas, scalable, with a grace period longer than the worker shutdown', () => {
    const config = composeConfig('COMPOSE_PROFILES=split\n');
    expect(started(config, ['split'])).toEqual(['gateway', 'redis', 'worker']);
    const worker = config.services.worker;
    expect(worker.command).toEqual(['node', 'node_modules/@ng/worker/dist/main.js']);
    expect(worker.deploy.replicas).toBe(2);
    expect(worker.container_name).toBeUndefined(); // a fixed name would forbid --scale
    expect(worker.stop_grace_period).toBe('40s');
    expect(worker.ports).toBeUndefined(); // replicas cannot share a host port
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  it('passes the linter (dockerfile-utils)', () => {
    const bin = path.join(__dirname, '../node_modules/.bin/dockerfile-utils');
    const out = execFileSync(bin, ['lint', path.join(root, 'Dockerfile')], { encoding: 'utf8' });
    expect(out.trim()).toBe('');
  });
  it('is multi-stage, node:20 slim, production deps only, non-root, health-checked, exec-form CMD', () => {
    const froms = dockerfile.match(/^FROM .*/gm) ?? [];
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(froms.at(-1)).toMatch(/^FROM node:20[\w.-]*slim\b/);
    expect(dockerfile).toMatch(/deploy --prod/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*/m);
    expect(dockerfile).toMatch(/^CMD \[/m);
  });
});

describe('.env.example and README', () => {
  it('list every setting of the table with its default', () => {
    const env = read('.env.example');
    const readme = read('README.md');
    for (const setting of ALL_SETTINGS) {
      const line = new RegExp(`^${setting.name}=(.*)$`, 'm').exec(env);
      expect(line?.[1], `${setting.name} in .env.example`).toBe(setting.secret || !setting.default ? '' : setting.default);
      const row = new RegExp(`^\\| \`${setting.name}\` \\| ([^|]*) \\|`, 'm').exec(readme);
      expect(row?.[1], `${setting.name} in README's configuration table`).toBe(setting.default ?? '—');
    }
  });
  it('every variable in .env.example has a comment line above it', () => {
    const lines = read('.env.example').split('\n');
    lines.forEach((line, i) => {
      if (/^[A-Z_]+=/.test(line) && !['ADMIN_PASSWORD'].includes(line.split('=')[0])) expect(lines[i - 1], line).toMatch(/^#/);
    });
  });
});

describe("README's commands", () => {
  const readme = read('README.md');
  const pkg = JSON.parse(read('package.json')) as { packageManager: string; scripts: Record<string, string> };
  const version = pkg.packageManager.replace(/^pnpm@/, '');

  it('need no global pnpm: each runs the pinned one through npx', () => {
    const words = [...Object.keys(pkg.scripts), 'install', 'run'];
    expect(readme.match(new RegExp(`\\bpnpm (${words.join('|')})\\b`, 'g')) ?? []).toEqual([]);
    expect([...new Set(readme.match(/pnpm@[\d.]+/g))]).toEqual([`pnpm@${version}`]);
  });

  it('name scripts that exist, and reach the doctor with run (pnpm has a doctor of its own)', () => {
    const named = [...readme.matchAll(/npx -y pnpm@[\d.]+ (?:run )?([\w:-]+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(10);
    for (const name of named) expect(['install', ...Object.keys(pkg.scripts)], name).toContain(name);
    expect(readme).not.toMatch(/pnpm@[\d.]+ doctor/);
  });
});
