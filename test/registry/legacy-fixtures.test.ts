import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floatFractionMismatches, matchFixture, substituteIds } from '../helpers/fixture-match.js';
import { type HttpResponse, send } from '../helpers/http-request.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';
import { REPO_ROOT, type RegistryProcess, spawnRegistry } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { freshDatabaseUrl } from '../helpers/test-database.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'legacy');

interface Step {
  step: number;
  name: string;
  method: string;
  path: string;
  query?: Record<string, string>;
  request_headers?: Record<string, string>;
  request_body?: string;
  status: number;
  response_headers: Record<string, string>;
  response_body: string | null;
  reference_bug?: string;
}

const index = JSON.parse(readFileSync(join(FIXTURES, 'index.json'), 'utf8')) as {
  scenarios: { scenario: string; steps: Step[] }[];
};
const scenario = (name: string) => index.scenarios.find((s) => s.scenario === name)!.steps;
const fixture = (file: string) => readFileSync(join(FIXTURES, file), 'utf8');

/**
 * Our registry keeps the client's agent_id as the stored id (decision for §13.1), so every
 * `<uuid4:TAG>` of the recordings stands for the agent_id its registration sent.
 */
const IDS: Record<string, string> = {
  'hello-world': 'hello-world',
  'file-agent': 'file_agent_7f3a9c2e',
  'file-agent-2': 'file_agent_7f3a9c2e',
  weather: 'weather-svc',
  'weather-r': 'weather-svc',
};

async function replay(baseUrl: string, step: Step): Promise<HttpResponse> {
  const query = step.query
    ? `?${new URLSearchParams(Object.entries(step.query).map(([k, v]): [string, string] => [k, substituteIds(v, IDS)]))}`
    : '';
  const headers: Record<string, string> = { ...step.request_headers };
  let body: string | undefined;
  if (step.request_body) {
    body = substituteIds(fixture(step.request_body), IDS);
    if (step.request_body.endsWith('.json')) body = JSON.stringify(JSON.parse(body));
    headers['content-type'] ??= 'application/json';
  } else if (step.method === 'POST') {
    body = '';
  }
  return send(baseUrl, { method: step.method, path: substituteIds(step.path, IDS) + query, headers, body });
}

function expectedBody(step: Step): unknown {
  if (step.response_body === null) return null;
  const text = substituteIds(fixture(step.response_body), IDS);
  return step.response_body.endsWith('.json') ? JSON.parse(text) : text;
}

function assertRecorded(res: HttpResponse, step: Step, baseUrl: string, expected = expectedBody(step)): void {
  expect(res.status, `${step.name} status`).toBe(step.status);
  const host = new URL(baseUrl).host;
  for (const [name, value] of Object.entries(step.response_headers)) {
    expect(res.headers[name], `${step.name} header ${name}`).toBe(value.replace('<host>:<port>', host));
  }
  if (expected === null) {
    expect(res.body).toBe('');
  } else if (typeof expected === 'string') {
    expect(res.body).toBe(expected);
  } else {
    expect(matchFixture(JSON.parse(res.body), expected)).toEqual([]);
    expect(floatFractionMismatches(res.body, expected)).toEqual([]);
  }
}

function detailOf(res: HttpResponse) {
  return (JSON.parse(res.body) as { detail: { type: string; loc: unknown[]; msg: string; input: unknown }[] })
    .detail;
}

/**
 * The steps marked `reference_bug` (and the /mcp steps, decided in the issue): what the
 * decisions of spec §13.B make the answer instead of the recorded one.
 */
const DECIDED: Record<string, (res: HttpResponse, step: Step, baseUrl: string) => void> = {
  agents_bad_label_selector: (res) => {
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({
      detail: "Invalid label selector format: env. Expected 'key=value'",
    });
  },
  capabilities_bad_stability: (res) => {
    expect(res.status).toBe(422);
    expect(detailOf(res)).toEqual([
      {
        type: 'value_error',
        loc: ['query', 'stability'],
        msg: 'Value error, Stability must be one of: stable, beta, alpha, deprecated',
        input: 'experimental',
        ctx: { error: 'Stability must be one of: stable, beta, alpha, deprecated' },
      },
    ]);
  },
  // The id the client registered with is the stored id: these find the agent now.
  capabilities_by_agent_unknown: (res, step, baseUrl) =>
    assertRecorded(
      res,
      { ...step, status: 200 },
      baseUrl,
      expectedBody({ ...step, response_body: 'capabilities_by_agent.response.json' }),
    ),
  health_agent_unknown: (res, step, baseUrl) =>
    assertRecorded(
      res,
      { ...step, status: 200 },
      baseUrl,
      expectedBody({ ...step, response_body: 'health_agent_pending.response.json' }),
    ),
  heartbeat_unknown_agent: (res, step, baseUrl) =>
    assertRecorded(
      res,
      { ...step, status: 200 },
      baseUrl,
      expectedBody({ ...step, response_body: 'heartbeat_ok.response.json' }),
    ),
  // Caches are invalidated by heartbeats (§13.4): the healthy agent shows up at once.
  agents_default_cached: (res, step, baseUrl) =>
    assertRecorded(
      res,
      step,
      baseUrl,
      expectedBody({ ...step, response_body: 'agents_healthy_namespace.response.json' }),
    ),
  capabilities_default_cached: (res, step, baseUrl) => {
    const expected = expectedBody({ ...step, response_body: 'capabilities_by_agent.response.json' }) as {
      capabilities: { agent_status: string }[];
    };
    for (const cap of expected.capabilities) cap.agent_status = 'healthy';
    assertRecorded(res, step, baseUrl, expected);
  },
  register_invalid_capability_name: (res) => {
    expect(res.status).toBe(422);
    expect(detailOf(res)).toEqual([
      {
        type: 'value_error',
        loc: ['body', 'metadata', 'capabilities', 0, 'name'],
        msg: 'Value error, Capability name must start with letter and contain only letters, numbers, underscore, hyphen',
        input: '2fast',
        ctx: {
          error:
            'Capability name must start with letter and contain only letters, numbers, underscore, hyphen',
        },
      },
    ]);
  },
  register_invalid_namespace: (res) => {
    expect(res.status).toBe(422);
    const [item] = detailOf(res);
    expect(item).toMatchObject({
      type: 'value_error',
      loc: ['body', 'metadata', 'namespace'],
      msg: 'Value error, Namespace must be lowercase alphanumeric with hyphens, start and end with alphanumeric',
      input: 'Prod_NS',
    });
  },
  register_invalid_version: (res) => {
    expect(res.status).toBe(422);
    expect(detailOf(res)).toMatchObject([
      {
        type: 'value_error',
        loc: ['body', 'metadata', 'capabilities', 0, 'version'],
        msg: 'Value error, Version must follow semantic versioning (x.y.z)',
        input: '2.1.0-beta.1',
      },
    ]);
  },
  register_name_null: (res) => {
    expect(res.status).toBe(422);
    expect(detailOf(res)).toEqual([
      {
        type: 'string_type',
        loc: ['body', 'metadata', 'name'],
        msg: 'Input should be a valid string',
        input: null,
      },
    ]);
  },
  register_again: (res, step, baseUrl) => assertRecorded(res, step, baseUrl),
  // Re-registration replaced the agent in place: the id still answers...
  heartbeat_old_id_after_reregister: (res, step, baseUrl) =>
    assertRecorded(
      res,
      { ...step, status: 200 },
      baseUrl,
      expectedBody({ ...step, response_body: 'heartbeat_ok.response.json' }),
    ),
  // ...and there is one agent, not two (checked in the test body, which can query again).
  agents_after_reregister: () => {},
  // Informative fixture (README): same document header and every path/method of the original.
  openapi: (res) => {
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const doc = JSON.parse(res.body) as {
      openapi: string;
      info: unknown;
      paths: Record<string, Record<string, unknown>>;
    };
    const recorded = JSON.parse(fixture('openapi.response.json')) as typeof doc;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual(recorded.info);
    for (const [path, methods] of Object.entries(recorded.paths)) {
      const ours = path.replace(/\{([^}]+)\}/g, '{$1}');
      expect(Object.keys(doc.paths[ours] ?? {}), path).toEqual(expect.arrayContaining(Object.keys(methods)));
    }
  },
  // HEAD /health answers 200: the current SDK probes the registry with it (issue 4).
  head_not_allowed: (res) => {
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
  },
  options_no_origin: (res, step, baseUrl) => {
    assertRecorded(res, { ...step, response_headers: { 'content-type': 'application/json' } }, baseUrl);
    expect(res.headers.allow).toBe('GET, HEAD');
  },
  // With a list of origins (none by default), a granted origin is echoed with credentials, not `*`.
  cors_simple: (res, step, baseUrl) => {
    const echoed = { ...step.response_headers, 'access-control-allow-origin': 'http://example.com' };
    assertRecorded(res, { ...step, response_headers: echoed }, baseUrl);
    expect(res.headers.vary).toBe('Origin');
  },
  mcp_redirect: (res) => {
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toEqual({ detail: 'Not Found' });
  },
  mcp_mount: (res) => {
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({ detail: 'Not Found' });
  },
  mcp_tool_rest_style: (res) => {
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toEqual({ detail: 'Not Found' });
  },
};

/** Counters that differ because heartbeats with the client's id succeed now (two, not one). */
function adjustForDecisions(step: Step, expected: unknown): unknown {
  if (step.name === 'metrics') (expected as { heartbeats_processed: number }).heartbeats_processed = 2;
  if (step.name === 'metrics_prometheus') {
    return (expected as string).replace(
      'mcp_registry_heartbeats_processed_total 1',
      'mcp_registry_heartbeats_processed_total 2',
    );
  }
  return expected;
}

describe('legacy fixtures, scenario "main", replayed in order', () => {
  let registry: RunningRegistry;
  let firstCreatedAt = '';
  beforeAll(async () => {
    // CORS is granted to configured origins only (docs/compatibility.md); the recorded origin is one.
    registry = await startRegistry({ env: { MCP_MESH_CORS_ORIGIN: 'http://example.com' } });
  });
  afterAll(async () => {
    await registry[Symbol.asyncDispose]();
  });

  for (const step of scenario('main')) {
    it(`step ${step.step} ${step.name} answers as recorded or as decided`, async () => {
      const res = await replay(registry.baseUrl, step);
      const decided = DECIDED[step.name];
      if (decided) {
        decided(res, step, registry.baseUrl);
        if (step.name === 'agents_after_reregister') {
          // The heartbeat of the previous step found the agent, so it is healthy, and only once.
          type Listed = { agents: { id: string; created_at: string }[] };
          const pending = (JSON.parse(res.body) as Listed).agents.filter((a) => a.id === IDS['file-agent']);
          expect(pending).toHaveLength(0);
          const healthy = await send(registry.baseUrl, { path: '/agents?status=healthy&namespace=default' });
          const fileAgents = (JSON.parse(healthy.body) as Listed).agents.filter(
            (a) => a.id === IDS['file-agent'],
          );
          expect(fileAgents).toHaveLength(1);
          // Re-registration replaced the agent in place and kept its created_at.
          expect(fileAgents[0]!.created_at).toBe(firstCreatedAt);
        }
        return;
      }
      let expected = expectedBody(step);
      if (step.response_body === 'metrics_prometheus.response.txt') {
        expect(res.status).toBe(200);
        const uptime = /mcp_registry_uptime_seconds (\d+\.\d+)\n/.exec(res.body);
        expect(uptime).not.toBeNull();
        expected = (expected as string).replace('<float>', uptime![1]!);
        // The recorded families come first, byte for byte; the registry's own series follow after
        // one blank line, none of them in the legacy `mcp_registry_` namespace.
        const legacy = adjustForDecisions(step, expected) as string;
        expect(res.body.slice(0, legacy.length)).toBe(legacy);
        const added = res.body.slice(legacy.length);
        expect(added).toMatch(/^\n# HELP /);
        expect(added).not.toMatch(/^(# (HELP|TYPE) )?mcp_registry_/m);
        res.body = legacy;
      }
      assertRecorded(res, step, registry.baseUrl, adjustForDecisions(step, expected));
      if (step.name === 'agents_status_pending') {
        const { agents } = JSON.parse(res.body) as { agents: { id: string; created_at: string }[] };
        firstCreatedAt = agents.find((a) => a.id === IDS['file-agent'])!.created_at;
      }
    });
  }
});

describe('legacy fixtures, scenario "restart", with a real process killed by SIGKILL', () => {
  const dir = tempDir('mesh-restart-');
  const env: Record<string, string> = {};
  let registry: RegistryProcess;
  let beforeKill: { agents: Record<string, unknown>[] };

  beforeAll(async () => {
    env.MCP_MESH_DATABASE_URL = await freshDatabaseUrl(dir.path);
    registry = await spawnRegistry(undefined, env);
  });
  afterAll(async () => {
    await registry[Symbol.asyncDispose]();
    dir[Symbol.dispose]();
  });

  for (const step of scenario('restart')) {
    it(`step ${step.step} ${step.name} answers as recorded or as decided`, async () => {
      if (step.step === 5) {
        registry.child.kill('SIGKILL');
        await registry.exited;
        registry = await spawnRegistry(['--host', '127.0.0.1', '--port', String(registry.port)], env);
      }
      const res = await replay(registry.baseUrl, step);
      if (step.name === 'restart_after_restart') {
        // Decision for §13.5: every field survives, tags, agent_type and thresholds included.
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body).agents).toEqual(beforeKill.agents);
        return;
      }
      assertRecorded(res, step, registry.baseUrl);
      if (step.name === 'restart_before_kill') beforeKill = JSON.parse(res.body);
    });
  }
});
