import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { ALL_SETTINGS } from '@ng/core';
import { typecheckLiterals } from './typecheck';

/**
 * deploy/kubernetes as kubectl renders it, with a current kubectl and with Debian's (1.20, whose
 * built-in kustomize is v2.0.3), every object validated against the Kubernetes API schemas
 * (kubernetes-models: the OpenAPI schemas compiled to validators, Prometheus Operator CRDs
 * included) and against their TypeScript types, which also refuse unknown fields.
 */
const root = path.resolve(__dirname, '../..');
const BASE = path.join(root, 'deploy/kubernetes');

type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [key: string]: any };

/** Where each kind's validator and type live. */
const MODELS: Record<string, { module: string; name: string }> = {
  'v1/ConfigMap': { module: 'kubernetes-models/v1/ConfigMap', name: 'ConfigMap' },
  'v1/Secret': { module: 'kubernetes-models/v1/Secret', name: 'Secret' },
  'v1/Service': { module: 'kubernetes-models/v1/Service', name: 'Service' },
  'apps/v1/Deployment': { module: 'kubernetes-models/apps/v1/Deployment', name: 'Deployment' },
  'autoscaling/v2/HorizontalPodAutoscaler': { module: 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler', name: 'HorizontalPodAutoscaler' },
  'policy/v1/PodDisruptionBudget': { module: 'kubernetes-models/policy/v1/PodDisruptionBudget', name: 'PodDisruptionBudget' },
  'monitoring.coreos.com/v1/ServiceMonitor': { module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor', name: 'ServiceMonitor' },
  'monitoring.coreos.com/v1/PrometheusRule': { module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule', name: 'PrometheusRule' },
};
const modelOf = (o: K8sObject) => MODELS[`${o.apiVersion}/${o.kind}`];

const clientVersion = (kubectl: string) => spawnSync(kubectl, ['version', '--client'], { encoding: 'utf8' }).stdout ?? '';

/**
 * Debian's kubectl 1.20. Where another kubectl owns /usr/bin/kubectl (a cloud SDK's), its
 * package is unpacked beside, not installed: apt-get download + dpkg-deb -x, as root on Debian.
 */
function debianKubectl(): string | undefined {
  if (/v1\.20\./.test(clientVersion('kubectl'))) return 'kubectl';
  const dir = path.join(os.tmpdir(), 'ng-kubernetes-client');
  const bin = path.join(dir, 'usr/bin/kubectl');
  if (fs.existsSync(bin)) return bin;
  if (process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) return undefined;
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('apt-get', ['download', '-q', 'kubernetes-client'], { cwd: dir, stdio: 'ignore' });
  const deb = fs.readdirSync(dir).find((f) => f.startsWith('kubernetes-client') && f.endsWith('.deb'))!;
  execFileSync('dpkg-deb', ['-x', path.join(dir, deb), dir]);
  return bin;
}

function render(kubectl: string): K8sObject[] {
  const out = execFileSync(kubectl, ['kustomize', BASE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return YAML.parseAllDocuments(out).map((d) => d.toJSON()).filter(Boolean);
}

const kubectls = [{ name: `kubectl on PATH (${/Client Version: (\S+)|GitVersion:"([^"]+)"/.exec(clientVersion('kubectl'))?.slice(1).find(Boolean)})`, bin: 'kubectl' }];
const debian = debianKubectl();
if (debian && debian !== 'kubectl') kubectls.push({ name: "Debian's kubectl 1.20 (kustomize v2.0.3)", bin: debian });

describe('deploy/kubernetes', () => {
  const objects = render('kubectl');
  const byKind = (kind: string) => objects.filter((o) => o.kind === kind);
  const named = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name)!;

  it("renders the same with Debian's older kustomize as with the current one", () => {
    expect(debian, "Debian's kubectl (kubernetes-client): apt-get download kubernetes-client").toBeDefined();
    for (const { name, bin } of kubectls) expect(render(bin), name).toEqual(objects);
  });

  it('has what the issue lists: ingest Deployment, Service, HPA, PDB; worker Deployment, PDB; config, secret, monitoring', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/notification-gateway-config',
      'ConfigMap/notification-gateway-policy',
      'Deployment/notification-gateway-ingest',
      'Deployment/notification-gateway-worker',
      'HorizontalPodAutoscaler/notification-gateway-ingest',
      'PodDisruptionBudget/notification-gateway-ingest',
      'PodDisruptionBudget/notification-gateway-worker',
      'PrometheusRule/notification-gateway',
      'Secret/notification-gateway-secrets',
      'Service/notification-gateway-ingest',
      'Service/notification-gateway-worker',
      'ServiceMonitor/notification-gateway',
    ]);
  });

  it('every object validates against the Kubernetes API schema of its kind', async () => {
    for (const object of objects) {
      const model = modelOf(object);
      expect(model, `a schema for ${object.apiVersion} ${object.kind}`).toBeDefined();
      const Model = (await import(model.module))[model.name];
      expect(() => new Model(object).validate(), `${object.kind}/${object.metadata.name}`).not.toThrow();
    }
  });

  it('no object has a field its kind does not know (a typo would be ignored by the API server)', () => {
    const imports = [...new Set(objects.map((o) => modelOf(o)))].map((m) => `import type { I${m.name} } from '${m.module}';`);
    expect(typecheckLiterals(imports, objects.map((o) => ({ type: `I${modelOf(o).name}`, value: o })))).toEqual([]);
  });

  it('pods: non-root, read-only root filesystem, resources, /health liveness, /ready readiness for ingest', () => {
    for (const deployment of byKind('Deployment')) {
      const pod = deployment.spec.template.spec;
      const [container] = pod.containers;
      const name = deployment.metadata.name;
      expect(pod.securityContext, name).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      expect(container.securityContext, name).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(container.resources.requests, name).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container.resources.limits.memory, name).toEqual(expect.any(String));
      expect(container.livenessProbe.httpGet.path, name).toBe('/health');
      expect(pod.terminationGracePeriodSeconds * 1000, name).toBeGreaterThan(20_000); // SHUTDOWN_GRACE_MS
      expect(container.image, name).toBe('notification-gateway:latest');
    }
    expect(named('Deployment', 'notification-gateway-ingest').spec.template.spec.containers[0].readinessProbe.httpGet.path).toBe('/ready');
  });

  it('selectors meet their pods: Services, PDBs, the HPA and the ServiceMonitor', () => {
    const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);
    for (const component of ['ingest', 'worker']) {
      const pods = named('Deployment', `notification-gateway-${component}`).spec.template.metadata.labels;
      expect(matches(named('Service', `notification-gateway-${component}`).spec.selector, pods), component).toBe(true);
      expect(matches(named('PodDisruptionBudget', `notification-gateway-${component}`).spec.selector.matchLabels, pods), component).toBe(true);
    }
    expect(named('HorizontalPodAutoscaler', 'notification-gateway-ingest').spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'notification-gateway-ingest' });
    const monitor = named('ServiceMonitor', 'notification-gateway');
    const ports = monitor.spec.endpoints.map((e: { port: string }) => e.port);
    for (const service of byKind('Service')) {
      expect(matches(monitor.spec.selector.matchLabels, service.metadata.labels), service.metadata.name).toBe(true);
      expect(service.spec.ports.some((p: { name: string }) => ports.includes(p.name)), service.metadata.name).toBe(true);
    }
  });

  it('the PrometheusRule is docs/prometheus-rules.yml; config and secret hold only settings the gateway reads', () => {
    const rules = YAML.parse(fs.readFileSync(path.join(root, 'docs/prometheus-rules.yml'), 'utf8'));
    expect(named('PrometheusRule', 'notification-gateway').spec).toEqual(rules);
    const keys = [...Object.keys(named('ConfigMap', 'notification-gateway-config').data), ...Object.keys(named('Secret', 'notification-gateway-secrets').stringData)];
    const names = ALL_SETTINGS.map((s) => s.name);
    expect(keys.filter((k) => !names.includes(k))).toEqual([]);
    const policy = named('Deployment', 'notification-gateway-worker').spec.template.spec.containers[0].volumeMounts.find((m: { name: string }) => m.name === 'policy');
    expect(named('ConfigMap', 'notification-gateway-config').data.POLICY_FILE).toBe(`${policy.mountPath}/policy.yaml`);
  });
});
