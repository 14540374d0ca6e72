import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import {
  CHART_DIR,
  helm,
  helmBinary,
  KUBE_VERSION,
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
const set = (...pairs: string[]) => pairs.flatMap((pair) => ['--set', pair]);
/** The value sets `helm lint` and `helm template` are run with (and validated, below). */
const VALUE_SETS: Record<string, string[]> = {
  'defaults (SQLite)': [],
  PostgreSQL: POSTGRESQL,
  'PostgreSQL, mTLS, ingress, ServiceMonitor and own spread': [
    ...POSTGRESQL,
    ...set(
      'tls.mode=strict',
      'tls.certSecret=reg-tls',
      'tls.trustSecret=entities',
      'ingress.enabled=true',
      'ingress.className=nginx',
      'ingress.tls[0].secretName=reg-ingress',
      'ingress.tls[0].hosts[0]=mcp-mesh-registry.local',
      'serviceMonitor.enabled=true',
      'topologySpreadConstraints[0].maxSkew=2',
      'topologySpreadConstraints[0].topologyKey=topology.kubernetes.io/zone',
      'topologySpreadConstraints[0].whenUnsatisfiable=DoNotSchedule',
      'podDisruptionBudget.minAvailable=2',
    ),
  ],
  'SQLite with overridden names, an existing claim and account, no preStop delay': set(
    'nameOverride=mesh',
    'fullnameOverride=team-registry',
    'database.sqlite.persistence.existingClaim=registry-data',
    'serviceAccount.create=false',
    'serviceAccount.name=registry',
    'termination.preStopDelaySeconds=0',
    'termination.gracePeriodSeconds=10',
  ),
};
const objects = (text: string): K8sObject[] =>
  parseAllDocuments(text)
    .map((document) => document.toJS() as K8sObject | null)
    .filter((object): object is K8sObject => object !== null);
const byKind = (list: K8sObject[], kind: string) => list.filter((object) => object.kind === kind);
const container = (deployment: K8sObject) => deployment.spec.template.spec.containers[0];

describe('the Helm chart deploy/helm/mcp-mesh-registry', () => {
  it.each(Object.entries(VALUE_SETS))('passes helm lint --strict with %s', (_name, values) => {
    const output = helm(['lint', '--strict', CHART_DIR, ...values]);
    expect(output).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it.each(Object.entries(VALUE_SETS))(
    'renders with %s to objects that each name a kind, a name and the chart labels',
    (_name, values) => {
      for (const object of objects(renderChart(values))) {
        expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        expect(object.metadata.labels['app.kubernetes.io/managed-by']).toBe('Helm');
      }
    },
  );

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
      'Pod',
      'Service',
      'ServiceAccount',
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
    expect(rendered.map((object) => object.kind).sort()).toEqual([
      'Deployment',
      'Pod',
      'PodDisruptionBudget',
      'Service',
      'ServiceAccount',
    ]);
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

  it('logs text by default and JSON lines when registry.logFormat is json, and nothing else', () => {
    const formatOf = (values: string[]) =>
      container(byKind(objects(renderChart(values)), 'Deployment')[0]!).env.find(
        (e: { name: string }) => e.name === 'MCP_MESH_LOG_FORMAT',
      )?.value;
    expect(formatOf([])).toBe('text');
    expect(formatOf(set('registry.logFormat=json'))).toBe('json');
    expect(() => renderChart(set('registry.logFormat=xml'))).toThrow(/registry\/logFormat/);
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
    [['--set', 'replicacount=2'], "additional properties 'replicacount' not allowed"],
    [['--set', 'registry.logLevel=loud'], "at '/registry/logLevel': value must be one of"],
    [['--set', 'registry.retention=1d'], "at '/registry/retention'"],
    [['--set', 'podDisruptionBudget.maxUnavailable=half'], "at '/podDisruptionBudget/maxUnavailable'"],
    [
      ['--set', 'termination.preStopDelaySeconds=30'],
      'termination.preStopDelaySeconds (30) must be less than termination.gracePeriodSeconds (30)',
    ],
    [['--set', 'service.name=mcp-mesh-registry'], 'would make Kubernetes set MCP_MESH_REGISTRY_PORT=tcp://…'],
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

describe('the chart for operators', () => {
  /** The environment variable names Kubernetes derives from a Service's name (service links). */
  const serviceLinkPrefix = (name: string) => name.toUpperCase().replaceAll('-', '_');

  it.each([
    ['mcp-mesh-registry', []],
    ['mcp-mesh', []],
    ['mcp', []],
    ['prod', []],
    ['r', ['--set', 'fullnameOverride=mcp-mesh-registry']],
  ])(
    'names the Service of release %s %j so that no MCP_MESH_* variable comes from it, and turns service links off in its pods',
    (release, values) => {
      const rendered = objects(
        helm(['template', release, CHART_DIR, '--kube-version', KUBE_VERSION, ...(values as string[])]),
      );
      const [service] = byKind(rendered, 'Service');
      expect(serviceLinkPrefix(service!.metadata.name)).not.toMatch(/^MCP_MESH/);
      for (const pod of [
        byKind(rendered, 'Deployment')[0]!.spec.template.spec,
        byKind(rendered, 'Pod')[0]!.spec,
      ]) {
        expect(pod.enableServiceLinks).toBe(false);
      }
    },
  );

  it('names the Service mesh-registry for release mcp-mesh-registry, and docs/deploy.md gives agents its URL and the service-links advice', () => {
    const [service] = byKind(objects(renderChart([])), 'Service');
    expect(service!.metadata.name).toBe('mesh-registry');
    const deploy = readFileSync(join(REPO_ROOT, 'docs', 'deploy.md'), 'utf8');
    expect(deploy).toContain('http://mesh-registry.mcp-mesh.svc:8000');
    expect(deploy).toContain('enableServiceLinks: false');
  });

  it('keeps at most one replica down in a disruption when there are several, and none is rendered for one', () => {
    expect(byKind(objects(renderChart([])), 'PodDisruptionBudget')).toEqual([]);
    const rendered = objects(renderChart(POSTGRESQL));
    const [budget] = byKind(rendered, 'PodDisruptionBudget');
    const [deployment] = byKind(rendered, 'Deployment');
    expect(budget!.apiVersion).toBe('policy/v1');
    expect(budget!.spec).toEqual({ maxUnavailable: 1, selector: deployment!.spec.selector });
    const [minimum] = byKind(
      objects(renderChart([...POSTGRESQL, '--set', 'podDisruptionBudget.minAvailable=2'])),
      'PodDisruptionBudget',
    );
    expect(minimum!.spec).toEqual({ minAvailable: 2, selector: deployment!.spec.selector });
    const off = objects(renderChart([...POSTGRESQL, '--set', 'podDisruptionBudget.enabled=false']));
    expect(byKind(off, 'PodDisruptionBudget')).toEqual([]);
  });

  it('spreads several replicas over nodes and zones (preferred), or as told, always selecting its own pods', () => {
    expect(
      byKind(objects(renderChart([])), 'Deployment')[0]!.spec.template.spec.topologySpreadConstraints,
    ).toBeUndefined();
    const [deployment] = byKind(objects(renderChart(POSTGRESQL)), 'Deployment');
    const selector = deployment!.spec.selector;
    expect(deployment!.spec.template.spec.topologySpreadConstraints).toEqual(
      ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'].map((topologyKey) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: 'ScheduleAnyway',
        labelSelector: selector,
      })),
    );
    const [custom] = byKind(
      objects(renderChart(VALUE_SETS['PostgreSQL, mTLS, ingress, ServiceMonitor and own spread']!)),
      'Deployment',
    );
    expect(custom!.spec.template.spec.topologySpreadConstraints).toEqual([
      {
        maxSkew: 2,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: selector,
      },
    ]);
  });

  it('waits preStopDelaySeconds before SIGTERM (the kubelet sleep action: the image has no shell) within the grace period', () => {
    const [deployment] = byKind(objects(renderChart([])), 'Deployment');
    expect(deployment!.spec.template.spec.terminationGracePeriodSeconds).toBe(30);
    expect(container(deployment!).lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
    const [quick] = byKind(
      objects(
        renderChart([
          '--set',
          'termination.preStopDelaySeconds=0',
          '--set',
          'termination.gracePeriodSeconds=10',
        ]),
      ),
      'Deployment',
    );
    expect(quick!.spec.template.spec.terminationGracePeriodSeconds).toBe(10);
    expect(container(quick!).lifecycle).toBeUndefined();
  });

  it('names every object after fullnameOverride and labels it with nameOverride', () => {
    const rendered = objects(
      renderChart(
        VALUE_SETS['SQLite with overridden names, an existing claim and account, no preStop delay']!,
      ),
    );
    expect(rendered.map((object) => [object.kind, object.metadata.name]).sort()).toEqual([
      ['Deployment', 'team-registry'],
      ['Pod', 'team-registry-test-health'],
      ['Service', 'team-registry'],
    ]);
    for (const object of rendered) expect(object.metadata.labels['app.kubernetes.io/name']).toBe('mesh');
    const [deployment] = byKind(rendered, 'Deployment');
    expect(deployment!.spec.selector.matchLabels['app.kubernetes.io/name']).toBe('mesh');
    expect(deployment!.spec.template.spec.volumes).toContainEqual({
      name: 'data',
      persistentVolumeClaim: { claimName: 'registry-data' },
    });
  });

  it('runs the pods under their own service account without a token, or under a given one', () => {
    const rendered = objects(renderChart([]));
    const [account] = byKind(rendered, 'ServiceAccount');
    const pod = byKind(rendered, 'Deployment')[0]!.spec.template.spec;
    expect(account!.metadata.name).toBe('mcp-mesh-registry');
    expect(account!.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe(account!.metadata.name);
    expect(pod.automountServiceAccountToken).toBe(false);
    const given = objects(
      renderChart(['--set', 'serviceAccount.create=false', '--set', 'serviceAccount.name=ops']),
    );
    expect(byKind(given, 'ServiceAccount')).toEqual([]);
    expect(byKind(given, 'Deployment')[0]!.spec.template.spec.serviceAccountName).toBe('ops');
  });

  it('routes an Ingress to the Service port http, with its class and TLS', () => {
    expect(byKind(objects(renderChart([])), 'Ingress')).toEqual([]);
    const rendered = objects(
      renderChart(VALUE_SETS['PostgreSQL, mTLS, ingress, ServiceMonitor and own spread']!),
    );
    const [ingress] = byKind(rendered, 'Ingress');
    const [service] = byKind(rendered, 'Service');
    expect(ingress!.spec).toEqual({
      ingressClassName: 'nginx',
      tls: [{ secretName: 'reg-ingress', hosts: ['mcp-mesh-registry.local'] }],
      rules: [
        {
          host: 'mcp-mesh-registry.local',
          http: {
            paths: [
              {
                path: '/',
                pathType: 'Prefix',
                backend: { service: { name: service!.metadata.name, port: { name: 'http' } } },
              },
            ],
          },
        },
      ],
    });
  });

  it('has a helm test hook pod that GETs /health through the Service, HTTPS when TLS is on', () => {
    const plain = objects(renderChart([]));
    const [test] = byKind(plain, 'Pod');
    expect(test!.metadata.annotations['helm.sh/hook']).toBe('test');
    expect(test!.spec.restartPolicy).toBe('Never');
    const command: string[] = test!.spec.containers[0].command;
    expect(command[0]).toBe('wget');
    expect(command.at(-1)).toBe('http://mesh-registry.mcp-mesh.svc:8000/health');
    const [secure] = byKind(
      objects(renderChart(VALUE_SETS['PostgreSQL, mTLS, ingress, ServiceMonitor and own spread']!)),
      'Pod',
    );
    expect(secure!.spec.containers[0].command.at(-1)).toBe('https://mesh-registry.mcp-mesh.svc:8000/health');
    // The hook is not part of the plain manifests.
    for (const name of Object.keys(MANIFEST_VARIANTS))
      expect(renderManifest(name)).not.toContain('helm.sh/hook');
  });

  it("validates every value set's render strictly against the Kubernetes 1.30 and 1.37 schemas", () => {
    using dir = tempDir();
    const files = Object.values(VALUE_SETS).map((values, index) => {
      const file = join(dir.path, `render-${index}.yaml`);
      // The ServiceMonitor is a custom resource with no schema there (checked above field by field).
      const kept = objects(renderChart(values)).filter((object) => object.kind !== 'ServiceMonitor');
      writeFileSync(file, kept.map((object) => stringify(object)).join('---\n'));
      return { file, count: kept.length };
    });
    for (const version of ['1.30.0', '1.37.0']) {
      const output = execFileSync(
        kubernetesValidate(),
        ['--strict', '-k', version, ...files.map((entry) => entry.file)],
        { encoding: 'utf8' },
      );
      expect(output.match(/ passed for resource /g)).toHaveLength(
        files.reduce((sum, entry) => sum + entry.count, 0),
      );
    }
  }, 300_000);
});

describe('the plain manifests in deploy/kubernetes', () => {
  it.each(Object.keys(MANIFEST_VARIANTS))('%s is the current render of the chart', (name) => {
    expect(readFileSync(join(MANIFESTS_DIR, name), 'utf8')).toBe(renderManifest(name));
  });

  it.each(['1.30.0', '1.37.0'])(
    'validate strictly against the Kubernetes %s schemas',
    (version) => {
      const validator = kubernetesValidate();
      const files = Object.keys(MANIFEST_VARIANTS).map((name) => join(MANIFESTS_DIR, name));
      const output = execFileSync(validator, ['--strict', '-k', version, ...files], { encoding: 'utf8' });
      // Four objects in each file, each named as passed.
      expect(output.match(/ passed for resource /g)).toHaveLength(8);
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
