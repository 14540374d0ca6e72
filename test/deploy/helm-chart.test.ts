import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  CHART_DIR,
  helm,
  helmBinary,
  MANIFEST_VARIANTS,
  MANIFESTS_DIR,
  renderChart,
  renderManifest,
} from '../../scripts/release/helm.ts';
import { REPO_ROOT } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { kubernetesValidate } from './kubernetes-validate.js';

// biome-ignore lint/suspicious/noExplicitAny: rendered Kubernetes objects are checked field by field.
type K8sObject = Record<string, any>;

const POSTGRESQL = MANIFEST_VARIANTS['mcp-mesh-registry-postgresql.yaml']!;
const objects = (text: string): K8sObject[] =>
  parseAllDocuments(text)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
const byKind = (list: K8sObject[], kind: string) => list.filter((object) => object.kind === kind);
const container = (deployment: K8sObject) => deployment.spec.template.spec.containers[0];

describe('the Helm chart deploy/helm/mcp-mesh-registry', () => {
  it.each([
    ['defaults (SQLite)', []],
    ['PostgreSQL', POSTGRESQL],
  ])('passes helm lint --strict with %s', (_name, values) => {
    const output = helm(['lint', '--strict', CHART_DIR, ...values]);
    expect(output).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('versions the chart and the image with the package', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const chart = readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8');
    expect(chart).toContain(`version: ${pkg.version}\n`);
    expect(chart).toContain(`appVersion: "${pkg.version}"\n`);
  });

  it('runs one replica on SQLite with its file on a PersistentVolumeClaim', () => {
    const rendered = objects(renderChart([]));
    expect(rendered.map((object) => object.kind).sort()).toEqual([
      'Deployment',
      'PersistentVolumeClaim',
      'Service',
    ]);
    const [deployment] = byKind(rendered, 'Deployment');
    const [claim] = byKind(rendered, 'PersistentVolumeClaim');
    expect(deployment!.spec.replicas).toBe(1);
    expect(deployment!.spec.strategy).toEqual({ type: 'Recreate' });
    expect(deployment!.spec.template.spec.volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: claim!.metadata.name },
    });
    expect(container(deployment!).volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(container(deployment!).env).toContainEqual({
      name: 'MCP_MESH_DATABASE_URL',
      value: 'sqlite:///data/mcp_mesh_registry.db',
    });
    expect(claim!.spec.accessModes).toEqual(['ReadWriteOnce']);
  });

  it('runs N replicas on PostgreSQL with the URL from a Secret and no volume', () => {
    const rendered = objects(renderChart(POSTGRESQL));
    expect(rendered.map((object) => object.kind).sort()).toEqual(['Deployment', 'Service']);
    const [deployment] = byKind(rendered, 'Deployment');
    expect(deployment!.spec.replicas).toBe(3);
    expect(deployment!.spec.strategy.type).toBe('RollingUpdate');
    expect(container(deployment!).env).toContainEqual({
      name: 'MCP_MESH_DATABASE_URL',
      valueFrom: { secretKeyRef: { name: 'mcp-mesh-registry-db', key: 'database-url' } },
    });
    expect(container(deployment!).volumeMounts.map((mount: K8sObject) => mount.name)).toEqual(['tmp']);
  });

  it.each([
    ['SQLite', []],
    ['PostgreSQL', POSTGRESQL],
  ])('probes liveness on / and readiness on /health (%s), as docs/deploy.md says', (_name, values) => {
    const registry = container(byKind(objects(renderChart(values)), 'Deployment')[0]!);
    // GET /health pings the database: a replica whose database is away leaves the Service...
    expect(registry.startupProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(registry.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    // ...but is not restarted: GET / answers without the database.
    expect(registry.livenessProbe.httpGet).toEqual({ path: '/', port: 'http' });
    const checklist = readFileSync(join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');
    const documented = (probe: string) =>
      new RegExp(`^- ${probe} probe: \`GET (\\S+)\``, 'm').exec(checklist)?.[1];
    expect([documented('Liveness'), documented('Readiness')]).toEqual([
      registry.livenessProbe.httpGet.path,
      registry.readinessProbe.httpGet.path,
    ]);
  });

  it('limits resources, runs as the image user and serves port http', () => {
    const rendered = objects(renderChart([]));
    const [deployment] = byKind(rendered, 'Deployment');
    const [service] = byKind(rendered, 'Service');
    const registry = container(deployment!);
    expect(registry.ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }]);
    expect(registry.resources.requests).toMatchObject({
      cpu: expect.any(String),
      memory: expect.any(String),
    });
    expect(registry.resources.limits.memory).toBeDefined();
    expect(deployment!.spec.template.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 10001,
    });
    expect(registry.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(service!.spec.ports).toEqual([{ name: 'http', port: 8000, targetPort: 'http', protocol: 'TCP' }]);
    expect(service!.spec.selector).toEqual(deployment!.spec.selector.matchLabels);
    expect(deployment!.spec.template.metadata.labels).toMatchObject(service!.spec.selector);
  });

  it('adds a ServiceMonitor for /metrics/prometheus only when asked', () => {
    expect(byKind(objects(renderChart([])), 'ServiceMonitor')).toEqual([]);
    const rendered = objects(
      renderChart([
        '--set',
        'serviceMonitor.enabled=true',
        '--set',
        'serviceMonitor.labels.release=prometheus',
      ]),
    );
    const [monitor] = byKind(rendered, 'ServiceMonitor');
    const [service] = byKind(rendered, 'Service');
    expect(monitor!.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor!.metadata.labels.release).toBe('prometheus');
    expect(monitor!.spec.selector.matchLabels).toEqual(service!.spec.selector);
    expect(monitor!.spec.endpoints).toEqual([
      { port: 'http', path: '/metrics/prometheus', interval: '30s', scrapeTimeout: '10s' },
    ]);
  });

  it('serves HTTPS with registration trust when tls.mode is auto or strict: certificate and trust directory from Secrets', () => {
    const [plain] = byKind(objects(renderChart([])), 'Deployment');
    expect(JSON.stringify(container(plain!).env)).not.toContain('MCP_MESH_TLS');
    const rendered = objects(
      renderChart([
        '--set',
        'tls.mode=strict',
        '--set',
        'tls.certSecret=reg-tls',
        '--set',
        'tls.trustSecret=entities',
      ]),
    );
    const [deployment] = byKind(rendered, 'Deployment');
    const registry = container(deployment!);
    expect(registry.env).toEqual(
      expect.arrayContaining([
        { name: 'MCP_MESH_TLS_MODE', value: 'strict' },
        { name: 'MCP_MESH_TLS_CERT', value: '/etc/mcp-mesh/tls/tls.crt' },
        { name: 'MCP_MESH_TLS_KEY', value: '/etc/mcp-mesh/tls/tls.key' },
        { name: 'MCP_MESH_TRUST_BACKEND', value: 'filestore' },
        { name: 'MCP_MESH_TRUST_DIR', value: '/etc/mcp-mesh/trust' },
      ]),
    );
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(registry[probe].httpGet.scheme).toBe('HTTPS');
    }
    expect(deployment!.spec.template.spec.volumes).toEqual(
      expect.arrayContaining([
        { name: 'tls', secret: { secretName: 'reg-tls' } },
        { name: 'trust', secret: { secretName: 'entities' } },
      ]),
    );
    expect(registry.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'tls', mountPath: '/etc/mcp-mesh/tls', readOnly: true },
        { name: 'trust', mountPath: '/etc/mcp-mesh/trust', readOnly: true },
      ]),
    );
  });

  it.each([
    [['--set', 'tls.mode=auto', '--set', 'tls.trustSecret=e'], 'tls.mode=auto needs tls.certSecret'],
    [['--set', 'tls.mode=strict', '--set', 'tls.certSecret=c'], 'tls.mode=strict needs tls.trustSecret'],
    [['--set', 'tls.mode=maybe'], 'tls.mode must be off, auto or strict, not "maybe"'],
    [['--set', 'replicaCount=2'], 'database.type=sqlite runs one replica'],
    [['--set', 'database.type=postgresql'], 'needs database.postgresql.existingSecret'],
    [['--set', 'database.type=mysql'], 'database.type must be sqlite or postgresql, not "mysql"'],
  ])('refuses %j with a message that says why', (values, message) => {
    const result = spawnSync(
      helmBinary(),
      ['template', 'r', CHART_DIR, '--kube-version', '1.33.0', ...values],
      {
        encoding: 'utf8',
      },
    );
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});

describe('the plain manifests in deploy/kubernetes', () => {
  it.each(Object.keys(MANIFEST_VARIANTS))('%s is the current render of the chart', (name) => {
    expect(readFileSync(join(MANIFESTS_DIR, name), 'utf8')).toBe(renderManifest(name));
  });

  it.each(['1.29.0', '1.37.0'])(
    'validate strictly against the Kubernetes %s schemas',
    (version) => {
      const validator = kubernetesValidate();
      const files = Object.keys(MANIFEST_VARIANTS).map((name) => join(MANIFESTS_DIR, name));
      const output = execFileSync(validator, ['--strict', '-k', version, ...files], { encoding: 'utf8' });
      // Three objects in the SQLite file, two in the PostgreSQL one, each named as passed.
      expect(output.match(/ passed for resource /g)).toHaveLength(5);
    },
    300_000,
  );

  it('the validator rejects a manifest with an unknown field', () => {
    using dir = tempDir();
    const bad = join(dir.path, 'bad.yaml');
    const manifest = readFileSync(join(MANIFESTS_DIR, 'mcp-mesh-registry-sqlite.yaml'), 'utf8');
    writeFileSync(
      bad,
      manifest.replace(
        'readOnlyRootFilesystem: true',
        'readOnlyRootFilesystem: true\n            runAsRoot: true',
      ),
    );
    const result = spawnSync(kubernetesValidate(), ['--strict', '-k', '1.33.0', bad], { encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stdout + result.stderr).toContain("'runAsRoot' was unexpected");
  }, 300_000);
});
