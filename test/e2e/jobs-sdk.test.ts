/**
 * Tools with `task=True` (MeshJob) end to end: real agents of the published SDK 3.8.0
 * (agents/jobs_provider.py, agents/jobs_consumer.py) and the upstream meshctl, against the Go
 * registry 3.7.1 and against ours, with the same steps and the same assertions.
 *
 * What the SDK does (observed with the Go registry): the provider's claim loop polls
 * `POST /jobs/claim` (backing off to every 5 s when idle); the consumer's submitter posts
 * `POST /jobs` and waits by polling `GET /jobs/{id}`; progress reaches the registry as
 * `POST /jobs/batch` deltas (every 2 s), each extending the lease to now + `max_duration`; a cancel
 * goes `POST /jobs/{id}/cancel` to the registry, which passes it on to the owning agent's own
 * `POST /jobs/{id}/cancel`. The registry's sweep (every `MCP_MESH_SWEEP_INTERVAL`, here 1 s)
 * reclaims a job whose lease ran out: claimable again while `attempt_count <= max_retries`, else
 * failed.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGoRegistry } from '../helpers/go-registry.js';
import { ensureMeshctl, ensureVenv } from '../helpers/python-env.js';
import { startRegistry } from '../helpers/registry-app.js';
import { REPO_ROOT } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { type AgentProcess, startAgent, waitFor } from './agent-process.js';
import { callTool } from './mesh-call.js';

/**
 * Where a printed line's text ends: its end, or any character that cannot continue it (so `step
 * 1/12 by A` is not `step 1/120` or `by AB`), or a log line of another writer that began right
 * after it, before its newline (a date, as Python's logging starts its lines).
 */
const LINE_END = String.raw`(?=$|[^\w/]|\d{4}-\d\d-\d\d)`;

const AGENTS = join(REPO_ROOT, 'test', 'e2e', 'agents');
/**
 * Both registries sweep jobs every second, so an expired lease is reclaimed within about a second:
 * the Go registry in its sweep (`MCP_MESH_SWEEP_INTERVAL`, default 5 min), ours in the health sweep
 * (`HEALTH_CHECK_INTERVAL`, default 10 s; the Go registry's agent health check takes it too).
 */
const REGISTRY_ENV = { MCP_MESH_SWEEP_INTERVAL: '1s', HEALTH_CHECK_INTERVAL: '1' };
/** The lease of a claimed job, in seconds: its `max_duration` (upstream's lease window). */
const LEASE_SECONDS = 10;
const AGENT_ID = /^count-provider-[0-9a-f]{8}$/;

interface Job {
  id: string;
  capability: string;
  status: string;
  owner_instance_id: string | null;
  attempt_count: number;
  max_retries: number;
  claim_epoch: number;
  progress: number | null;
  progress_message: string | null;
  result: unknown;
  error: string | null;
  lease_expires_at: number | null;
  submitted_by: string;
}
interface JobEvent {
  seq: number;
  type: string;
  payload: Record<string, unknown>;
  job_id: string;
}

interface Registry extends AsyncDisposable {
  baseUrl: string;
}
const REGISTRIES: Record<string, () => Promise<Registry>> = {
  'the Go registry': () => startGoRegistry(REGISTRY_ENV),
  'our registry': () => startRegistry({ env: REGISTRY_ENV }),
};

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function callJson<T = Record<string, unknown>>(
  baseUrl: string,
  tool: string,
  args: Record<string, unknown>,
): Promise<T> {
  return JSON.parse(await callTool(baseUrl, tool, args)) as T;
}

/** Runs meshctl to its end (it creates `~/.mcp-mesh/`: HOME is a temp dir). */
function meshctl(
  bin: string,
  home: string,
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      bin,
      args,
      { env: { PATH: process.env.PATH, HOME: home }, timeout: 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** The lines of an agent's output that mention job `id`, as the provider prints them. */
function linesAbout(agent: AgentProcess, id: string): string[] {
  return agent
    .output()
    .split('\n')
    .filter((line) => line.startsWith(`job ${id} `));
}

describe.each(Object.keys(REGISTRIES))('task=True tools of the published SDK 3.8.0 against %s', (which) => {
  let registry: Registry;
  let baseUrl: string;
  let python: string;
  let meshctlBin: string;
  const home = tempDir('mesh-jobs-e2e-');
  const agents: AgentProcess[] = [];
  let providerA: AgentProcess;
  let consumerUrl: string;
  /** The instance id provider A claims under (its agent id). */
  let idOfA: string;

  const job = (id: string) => getJson<Job>(`${baseUrl}/jobs/${id}`);
  const events = (id: string, query = '') =>
    getJson<{ events: JobEvent[]; next_after: number }>(`${baseUrl}/jobs/${id}/events${query}`);
  const startProvider = (label: string) => {
    // Port 0: the SDK binds a port of the OS's choosing and registers it (a port found free
    // beforehand can be taken by a parallel test in the seconds before the agent binds it).
    const agent = startAgent(python, join(AGENTS, 'jobs_provider.py'), {
      MCP_MESH_REGISTRY_URL: baseUrl,
      JOBS_PROVIDER_LABEL: label,
    });
    agents.push(agent);
    return agent;
  };
  const startJob = async (args: Record<string, unknown>) => {
    const answer = await callJson<{ job_id?: string; error?: string }>(consumerUrl, 'start_count', args);
    expect(answer.error).toBeUndefined();
    return answer.job_id!;
  };
  /**
   * Waits for a line the provider printed; a timeout shows its job lines, warnings and errors.
   * Patterns end with {@link LINE_END}, not `$`: the SDK's Rust core and Python's logging write to
   * the same output and can land between a print's text and its newline.
   */
  const waitForLine = (agent: AgentProcess, pattern: RegExp, what: string, timeoutMs = 20_000) =>
    waitFor(
      async () =>
        agent
          .output()
          .split('\n')
          .filter((line) => /^job |WARN|ERROR/.test(line))
          .join('\n'),
      (output) => pattern.test(output),
      timeoutMs,
      what,
    );
  const waitForStatus = (id: string, statuses: string[], timeoutMs: number) =>
    waitFor(
      () => job(id),
      (j) => statuses.includes(j.status),
      timeoutMs,
      `job ${id} to be ${statuses.join(' or ')}`,
    );

  beforeAll(async () => {
    ({ python } = await ensureVenv('3.8.0'));
    ({ meshctl: meshctlBin } = await ensureMeshctl());
    registry = await REGISTRIES[which]!();
    baseUrl = registry.baseUrl;
    providerA = startProvider('A');
    agents.push(startAgent(python, join(AGENTS, 'jobs_consumer.py'), { MCP_MESH_REGISTRY_URL: baseUrl }));
    // The consumer's port (0 too) is the one in the endpoint it registered.
    const listed = await waitFor(
      () =>
        getJson<{ agents: { name: string; status: string; endpoint: string }[] | null }>(`${baseUrl}/agents`),
      (body) => (body.agents ?? []).some((a) => a.name === 'count-consumer' && a.status === 'healthy'),
      60_000,
      'the consumer to register',
    );
    consumerUrl = listed.agents!.find((a) => a.name === 'count-consumer')!.endpoint;
  }, 180_000);

  afterEach((context) => {
    if (context.task.result?.state !== 'fail') return;
    // What the agents said last, to tell a registry's answer from an agent that never came up.
    for (const agent of agents) {
      console.error(`--- ${agent.child.spawnargs.slice(1).join(' ')}\n${agent.output().slice(-4000)}`);
    }
  });

  afterAll(async () => {
    for (const agent of agents) await agent.kill('SIGKILL');
    await registry?.[Symbol.asyncDispose]();
    home[Symbol.dispose]();
  });

  it('a consumer submits a job and gets the result the provider completed it with', {
    timeout: 60_000,
  }, async () => {
    const answer = await waitFor(
      () =>
        callJson<{ job_id?: string; result?: unknown; error?: string }>(consumerUrl, 'count', {
          steps: 3,
          step_secs: 0.5,
          max_duration: LEASE_SECONDS,
        }),
      (a) => a.error !== 'no count_slowly',
      40_000,
      'the consumer to be given a submitter for count_slowly',
    );
    expect(answer).toEqual({ job_id: expect.any(String), result: { counted: 3, by: 'A' } });
    const done = await job(answer.job_id!);
    expect(done).toMatchObject({
      id: answer.job_id,
      capability: 'count_slowly',
      status: 'completed',
      result: { counted: 3, by: 'A' },
      error: null,
      attempt_count: 1,
      max_retries: 1,
      claim_epoch: 1,
      progress: 1,
      progress_message: 'step 3/3 on A',
      submitted_by: expect.stringMatching(/^count-consumer-[0-9a-f]{8}$/),
    });
    expect(done.owner_instance_id).toMatch(AGENT_ID);
    idOfA = done.owner_instance_id!;
  });

  it('progress shows while the job runs (__mesh_job_status, GET /jobs/{id}) and its events are listed with cursors', {
    timeout: 60_000,
  }, async () => {
    const id = await startJob({ steps: 10, step_secs: 0.5, max_duration: LEASE_SECONDS });
    const running = await waitFor(
      () => callJson<Job>(consumerUrl, '__mesh_job_status', { job_id: id }),
      (j) => j.status === 'working' && /^step [1-9]\/10 on A$/.test(j.progress_message ?? ''),
      20_000,
      'progress of the running job through __mesh_job_status',
    );
    expect(running).toMatchObject({ id, capability: 'count_slowly', owner_instance_id: idOfA });
    expect(running.progress).toBeGreaterThan(0);
    expect(running.progress).toBeLessThan(1);

    await waitForStatus(id, ['completed'], 30_000);
    const all = await events(id);
    expect(all.events.map((e) => [e.seq, e.type, e.job_id, e.payload])).toEqual(
      Array.from({ length: 10 }, (_, i) => [i + 1, 'step', id, { step: i + 1, of: 10, by: 'A' }]),
    );
    expect(all.next_after).toBe(10);
    const tail = await events(id, '?after=7');
    expect(tail.events.map((e) => e.seq)).toEqual([8, 9, 10]);
    expect((await events(id, '?types=cancelled')).events).toEqual([]);
  });

  it('a cancel reaches the provider: its handler is cancelled and the job ends cancelled', {
    timeout: 60_000,
  }, async () => {
    const id = await startJob({ steps: 40, step_secs: 0.5, max_duration: 30 });
    await waitForLine(
      providerA,
      new RegExp(`^job ${id} step 1/40 by A${LINE_END}`, 'm'),
      'the job to run on A',
    );
    expect(await callJson(consumerUrl, 'cancel_count', { job_id: id, reason: 'e2e cancel' })).toEqual({
      cancelled: id,
    });
    await waitForLine(
      providerA,
      new RegExp(`^job ${id} cancelled in A at step \\d+${LINE_END}`, 'm'),
      'the handler cancelled',
    );
    const cancelled = await job(id);
    expect(cancelled).toMatchObject({ status: 'cancelled', error: 'cancelled: e2e cancel', result: null });
    expect((await events(id, '?types=cancelled')).events).toEqual([
      expect.objectContaining({ type: 'cancelled', payload: { reason: 'e2e cancel' } }),
    ]);
    // The handler stopped: no step after the cancel, and the job stays cancelled.
    const stepsSoFar = linesAbout(providerA, id).length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(linesAbout(providerA, id)).toHaveLength(stepsSoFar);
    expect((await job(id)).status).toBe('cancelled');
    const waited = await callJson<{ error?: string }>(consumerUrl, 'wait_count', {
      job_id: id,
      timeout_secs: 5,
    });
    expect(waited.error).toMatch(/cancel/i);
  });

  it('meshctl job status shows a job; meshctl job reclaim evicts its owner and the next claim fences the old run', {
    timeout: 60_000,
  }, async () => {
    const id = await startJob({ steps: 10, step_secs: 0.5, max_duration: 30 });
    await waitForLine(
      providerA,
      new RegExp(`^job ${id} step 2/10 by A${LINE_END}`, 'm'),
      'the job to run on A',
    );
    const status = await meshctl(meshctlBin, home.path, ['job', 'status', id, '--registry-url', baseUrl]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain(`Job:          ${id}\n`);
    expect(status.stdout).toContain('Capability:   count_slowly\n');
    expect(status.stdout).toContain('Status:       working\n');
    expect(status.stdout).toContain(`Owner:        ${idOfA}\n`);
    expect(status.stdout).toContain('Claim epoch:  1\n');
    expect(status.stdout).toContain('Attempts:     1 / 1 (max_retries)\n');

    const reclaim = await meshctl(meshctlBin, home.path, ['job', 'reclaim', id, '--registry-url', baseUrl]);
    expect(reclaim.code, reclaim.stderr).toBe(0);
    expect(reclaim.stdout).toBe(
      `Job ${id} reclaimed\n` +
        `  Evicted owner: ${idOfA}\n` +
        '  Status:        working (claimable)\n' +
        '  Claim epoch:   1 (unchanged; next claim mints the next epoch)\n',
    );
    // A claims it again under epoch 2; the run of epoch 1 is refused (claim_superseded) and cancelled.
    await waitForLine(
      providerA,
      new RegExp(`^job ${id} started by A epoch 2${LINE_END}`, 'm'),
      'the second claim',
    );
    await waitForLine(
      providerA,
      new RegExp(`^job ${id} cancelled in A at step \\d+${LINE_END}`, 'm'),
      'the first run fenced',
    );
    const done = await waitForStatus(id, ['completed', 'failed'], 30_000);
    expect(done).toMatchObject({
      status: 'completed',
      result: { counted: 10, by: 'A' },
      attempt_count: 2,
      claim_epoch: 2,
      owner_instance_id: idOfA,
    });

    const after = await meshctl(meshctlBin, home.path, ['job', 'status', id, '--registry-url', baseUrl]);
    expect(after.stdout).toContain('Status:       completed\n');
    expect(after.stdout).toContain('Claim epoch:  2\n');
    const again = await meshctl(meshctlBin, home.path, ['job', 'reclaim', id, '--registry-url', baseUrl]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`job ${id} is already in a terminal state — nothing to reclaim`);
    const missing = await meshctl(meshctlBin, home.path, [
      'job',
      'status',
      'no-such-job',
      '--registry-url',
      baseUrl,
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('job not found: no-such-job');
  });

  it('a SIGKILLed provider: after the lease its job is finished by a second instance, or failed without retries left', {
    timeout: 150_000,
  }, async () => {
    const retried = await startJob({
      steps: 12,
      step_secs: 0.5,
      max_duration: LEASE_SECONDS,
      max_retries: 1,
    });
    const failing = await startJob({
      steps: 12,
      step_secs: 0.5,
      max_duration: LEASE_SECONDS,
      max_retries: 0,
    });
    for (const id of [retried, failing]) {
      await waitForLine(
        providerA,
        new RegExp(`^job ${id} step 1/12 by A${LINE_END}`, 'm'),
        `job ${id} to run on A`,
      );
    }
    await providerA.kill('SIGKILL');
    const lease = await job(retried);
    expect(lease).toMatchObject({ status: 'working', owner_instance_id: idOfA });

    const providerB = startProvider('B');
    await waitForLine(
      providerB,
      new RegExp(`^job ${retried} started by B epoch 2${LINE_END}`, 'm'),
      'B to claim it',
      // The Go registry once took longer than 45 s on a loaded CI machine (its sweep, then B's
      // 5 s claim poll); ours takes the lease plus a sweep.
      90_000,
    );
    // Not before the lease A held ran out (whole seconds on the wire).
    expect(Date.now()).toBeGreaterThanOrEqual((lease.lease_expires_at! - 1) * 1000);
    const finished = await waitForStatus(retried, ['completed', 'failed'], 30_000);
    expect(finished).toMatchObject({
      status: 'completed',
      result: { counted: 12, by: 'B' },
      attempt_count: 2,
      claim_epoch: 2,
    });
    expect(finished.owner_instance_id).toMatch(AGENT_ID);
    expect(finished.owner_instance_id).not.toBe(idOfA);
    expect(await callJson(consumerUrl, 'wait_count', { job_id: retried, timeout_secs: 5 })).toEqual({
      job_id: retried,
      result: { counted: 12, by: 'B' },
    });

    const failed = await waitForStatus(failing, ['completed', 'failed'], 30_000);
    expect(failed).toMatchObject({
      status: 'failed',
      error: 'lease expired: no completion within lease window',
      attempt_count: 1,
      max_retries: 0,
      result: null,
    });
    expect(linesAbout(providerB, failing)).toEqual([]);
  });

  it('no agent logged an error, and the claim loop never got an unexpected answer', () => {
    for (const agent of agents) {
      const lines = agent.output().split('\n');
      expect(lines.filter((line) => /\bERROR\b|Traceback/.test(line))).toEqual([]);
      expect(
        lines.filter((line) =>
          /claim_dispatcher .*(unexpected status|claim_once error|malformed)/.test(line),
        ),
      ).toEqual([]);
    }
    expect(agents.length).toBeGreaterThanOrEqual(2);
  });
});
