import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ALL_SETTINGS } from '@ng/core';

const root = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** Runs docker-compose (v1, Debian's package: no engine needed for `config`) on a copy with .env from .env.example. */
function composeConfig(profile: string): Record<string, any> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-'));
  fs.copyFileSync(path.join(root, 'docker-compose.yml'), path.join(dir, 'docker-compose.yml'));
  // The profile is chosen the way an operator does it: COMPOSE_PROFILES in .env.
  const env = read('.env.example').replace(/^COMPOSE_PROFILES=.*$/m, `COMPOSE_PROFILES=${profile}`);
  fs.writeFileSync(path.join(dir, '.env'), env);
  execFileSync('docker-compose', ['config', '-q'], { cwd: dir, stdio: 'pipe' });
  const out = execFileSync('docker-compose', ['config'], { cwd: dir, encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return YAML.parse(out);
}

describe('docker-compose.yml', () => {
  it('passes docker-compose config -q, all-in-one by default', () => {
    const config = composeConfig('all-in-one');
    const redis = config.services.redis;
    expect(redis.image).toMatch(/^redis:7/);
    expect(redis.command.join(' ')).toContain('--appendonly yes --appendfsync everysec --maxmemory-policy noeviction');
    expect(String(redis.volumes[0])).toMatch(/^redis-data:\/data/);
    expect(redis.healthcheck.test).toContain('ping');
    const gateway = config.services.gateway;
    expect(gateway).toMatchObject({ container_name: 'notification-gateway', restart: 'unless-stopped', init: true });
    expect(gateway.ports[0]).toMatchObject({ target: 9000, published: 9000 });
    expect(gateway.depends_on.redis.condition).toBe('service_healthy');
    expect(gateway.healthcheck.test.join(' ')).toContain('/health');
    expect(gateway.profiles).toEqual(['all-in-one']);
    expect(read('.env.example')).toMatch(/^COMPOSE_PROFILES=all-in-one$/m);
  });

  it('split mode: ingest plus worker replicas, with a grace period longer than the worker shutdown', () => {
    const config = composeConfig('split');
    expect(config.services.ingest.profiles).toEqual(['split']);
    expect(config.services.worker.profiles).toEqual(['split']);
    expect(config.services.ingest.ports[0]).toMatchObject({ target: 9000 });
    const worker = config.services.worker;
    expect(worker.deploy.replicas).toBe(2);
    expect(worker.container_name).toBeUndefined(); // a fixed name would forbid --scale
    expect(worker.stop_grace_period).toBe('40s');
    expect(worker.healthcheck.test.join(' ')).toContain('9100/health');
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
