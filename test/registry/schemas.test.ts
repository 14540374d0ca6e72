/**
 * The schema catalogue beside the Go registry 3.7.1: the same heartbeats (canonical schemas as the
 * SDKs send them, hashes computed as their normalizer does) sent to both; `GET /schemas` and
 * `GET /schemas/{hash}` must answer byte for byte alike, times aside, and the real `meshctl list
 * --schemas` and `meshctl schema diff` must print the same. Then across replicas sharing one
 * database.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GoRegistry, startGoRegistry } from '../helpers/go-registry.js';
import { postJson, send } from '../helpers/http-request.js';
import { ensureMeshctl, REPO_ROOT } from '../helpers/python-env.js';
import { type RunningRegistry, startRegistry } from '../helpers/registry-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
const get = (base: string, path: string) => send(base, { path });

/** Compact JSON with keys sorted: what the SDKs' normalizer hashes. */
function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(',')}]`;
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${sortedJson(v)}`).join(',')}}`;
}
const hashOf = (schema: unknown) => `sha256:${createHash('sha256').update(sortedJson(schema)).digest('hex')}`;

const OBJECT = { type: 'object' };
const cityInput = {
  type: 'object',
  properties: { city: { type: 'string', description: 'a <city> & "its" country\u2028' } },
  required: ['city'],
};
/**
 * Keys Go sorts by bytes (`10` before `9`, U+FFFD before U+1F600) and numbers it rewrites: the
 * `RAW_NUMBERS` markers are replaced by number texts JSON.stringify cannot write.
 */
const forecastOutput = {
  type: 'object',
  required: ['days', 'temp'],
  properties: {
    temp: { type: 'number', minimum: '<-0>', maximum: 1e21, multipleOf: 0.5, exclusiveMinimum: '<1E-7>' },
    days: { type: 'array', items: { type: 'integer', default: '<1.0>' } },
    10: { const: '<12345678901234567890>' },
    9: { enum: [true, false, null] },
    '\u{1F600}': { title: 'grin' },
    '\uFFFD': { title: 'replacement' },
  },
};
const RAW_NUMBERS = /"<(-0|1E-7|1\.0|12345678901234567890)>"/g;

/** The JSON text of a heartbeat, with the number markers replaced. */
const heartbeatText = (body: unknown) => JSON.stringify(body).replace(RAW_NUMBERS, '$1');
const reportOutput = { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] };
const reportOutputV2 = {
  type: 'object',
  properties: { text: { type: 'string' }, pages: { type: 'integer' } },
  required: ['pages', 'text'],
};

const withSchemas = (input?: unknown, output?: unknown) => ({
  ...(input === undefined ? {} : { inputSchemaCanonical: input, inputSchemaHash: hashOf(input) }),
  ...(output === undefined ? {} : { outputSchemaCanonical: output, outputSchemaHash: hashOf(output) }),
});

const agent = (id: string, runtime: string, tools: unknown[]) => ({
  agent_id: id,
  name: id.replace(/-\w+$/, ''),
  agent_type: 'mcp_agent',
  version: '1.0.0',
  http_host: '127.0.0.1',
  http_port: 9300,
  namespace: 'default',
  runtime,
  tools,
});

const WEATHER = agent('weather-1a2b3c4d', 'python', [
  { function_name: 'get_forecast', capability: 'forecast', ...withSchemas(cityInput, forecastOutput) },
  {
    function_name: '__mesh_job_status',
    capability: '__mesh_job_status',
    ...withSchemas(undefined, OBJECT),
    schemaWarnings: ['stripped additionalProperties: true (lossy)'],
  },
  // Not kept: a canonical schema without its hash, a hash without its schema, an empty hash.
  { function_name: 'no_hash', capability: 'extra', inputSchemaCanonical: { type: 'boolean' } },
  { function_name: 'no_schema', capability: 'extra', outputSchemaHash: hashOf({ type: 'null' }) },
  {
    function_name: 'empty_hash',
    capability: 'extra',
    outputSchemaCanonical: { type: 'array' },
    outputSchemaHash: '',
  },
  {
    function_name: 'nulls',
    capability: 'extra',
    inputSchemaCanonical: null,
    outputSchemaHash: null,
    schemaWarnings: null,
  },
]);

const REPORTS = agent('reports-5e6f7a8b', 'typescript', [
  // Its schemas: two already kept (from python: they stay python), one new.
  { function_name: 'job_result', capability: 'job_result', ...withSchemas(undefined, OBJECT) },
  { function_name: 'write_report', capability: 'report', ...withSchemas(cityInput, reportOutput) },
]);

const LEDGER = agent('ledger-9a0b1c2d', 'java', [
  {
    function_name: 'report_v2',
    capability: 'report',
    ...withSchemas({ type: 'object', properties: {}, required: [] }, reportOutputV2),
    dependencies: [
      {
        capability: 'forecast',
        matchMode: 'subset',
        expectedSchemaCanonical: {
          type: 'object',
          properties: { temp: { type: 'number' } },
          required: ['temp'],
        },
        expectedSchemaHash: hashOf({
          type: 'object',
          properties: { temp: { type: 'number' } },
          required: ['temp'],
        }),
      },
    ],
  },
  // A known hash sent with other content: the first content stays.
  {
    function_name: 'impostor',
    capability: 'impostor',
    outputSchemaCanonical: { type: 'string' },
    outputSchemaHash: hashOf(reportOutput),
  },
]);

/** A real SDK 3.8.0 provider's heartbeat (recorded), with the framework tools' shared schema. */
const SDK_PROVIDER = (
  JSON.parse(
    readFileSync(join(REPO_ROOT, 'test', 'fixtures', 'current', 'sdk-3.8.0-session.json'), 'utf8'),
  ) as { exchanges: { request_body: Record<string, unknown> }[] }
).exchanges[0]!.request_body;

const NANOS_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{9}Z$/;

/** The body with its times replaced (ours are checked for their format first). */
function withoutTimes(body: string, isOurs: boolean): string {
  if (isOurs) {
    for (const [, time] of body.matchAll(/"(?:created_at|timestamp)":"([^"]*)"/g))
      expect(time).toMatch(NANOS_TIME);
  }
  return body.replace(/"(created_at|timestamp)":"[^"]*"/g, '"$1":"<time>"');
}

describe('the schema catalogue, ours beside the Go registry', () => {
  let ours: RunningRegistry;
  let go: GoRegistry;

  beforeAll(async () => {
    [ours, go] = await Promise.all([startRegistry(), startGoRegistry()]);
    for (const base of [ours.baseUrl, go.baseUrl]) {
      for (const body of [SDK_PROVIDER, WEATHER, REPORTS, LEDGER]) {
        const res = await postJson(base, '/heartbeat', heartbeatText(body));
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body).status).toBe('success');
      }
    }
  });
  afterAll(async () => {
    await ours?.[Symbol.asyncDispose]();
    await go?.[Symbol.asyncDispose]();
  });

  const both = (path: string) => Promise.all([get(ours.baseUrl, path), get(go.baseUrl, path)]);

  it('lists the same schemas, newest first, in the same bytes', async () => {
    const [a, b] = await both('/schemas');
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(withoutTimes(a.body, true)).toBe(withoutTimes(b.body, false));
    const listed = JSON.parse(a.body) as {
      count: number;
      schemas: { hash: string; runtime_origin: string }[];
    };
    expect(listed.schemas.map((s) => [s.hash, s.runtime_origin])).toEqual([
      [hashOf(reportOutputV2), 'java'],
      [hashOf({ type: 'object', properties: {}, required: [] }), 'java'],
      [hashOf(reportOutput), 'typescript'],
      [hashOf(forecastOutput), 'python'],
      [hashOf(cityInput), 'python'],
      [hashOf(OBJECT), 'python'],
      [hashOf({ type: 'string' }), 'python'],
      [hashOf({ properties: {}, type: 'object' }), 'python'],
    ]);
    // Key order, numbers and escapes as Go writes them.
    expect(a.body).toContain(
      '"properties":{"10":{"const":12345678901234567000},"9":{"enum":[true,false,null]},"days":{"items":{"default":1,"type":"integer"},"type":"array"},"temp":{"exclusiveMinimum":1e-7,"maximum":1e+21,"minimum":-0,"multipleOf":0.5,"type":"number"},"\uFFFD":{"title":"replacement"},"\u{1F600}":{"title":"grin"}}',
    );
    expect(a.body).toContain('"description":"a \\u003ccity\\u003e \\u0026 \\"its\\" country\\u2028"');
  });

  it('keeps the first entry of a hash when a heartbeat sends it again, also with other content', async () => {
    const before = await get(ours.baseUrl, `/schemas/${hashOf(reportOutput)}`);
    for (const base of [ours.baseUrl, go.baseUrl]) {
      expect((await postJson(base, '/heartbeat', heartbeatText(WEATHER))).status).toBe(200);
      expect((await postJson(base, '/heartbeat', heartbeatText(LEDGER))).status).toBe(200);
    }
    const after = await get(ours.baseUrl, `/schemas/${hashOf(reportOutput)}`);
    expect(after.body).toBe(before.body);
    expect(JSON.parse(after.body).canonical).toEqual(reportOutput);
    const [a, b] = await both('/schemas');
    expect(JSON.parse(a.body).count).toBe(8);
    expect(withoutTimes(a.body, true)).toBe(withoutTimes(b.body, false));
  });

  it('answers each schema by its hash, and an unknown hash with 404 in the Go shape', async () => {
    const hashes = [cityInput, forecastOutput, OBJECT, reportOutput].map(hashOf);
    for (const hash of [...hashes, `sha256:${'0'.repeat(64)}`, 'not-a-hash', '"<x>&']) {
      const [a, b] = await both(`/schemas/${encodeURIComponent(hash)}`);
      expect(a.status).toBe(b.status);
      expect(withoutTimes(a.body, true)).toBe(withoutTimes(b.body, false));
    }
    const missing = await get(ours.baseUrl, '/schemas/nope');
    expect(missing.status).toBe(404);
    expect(withoutTimes(missing.body, true)).toBe('{"error":"schema not found: nope","timestamp":"<time>"}');
  });

  it.each([
    ['limit=2'],
    ['limit=0'],
    ['limit=-5'],
    ['limit=2000'],
    ['limit=%2B3'],
    ['limit=007'],
    ['limit=9223372036854775807'],
    ['other=1'],
  ])('clamps and binds ?%s as Go does', async (query) => {
    const [a, b] = await both(`/schemas?${query}`);
    expect(a.status).toBe(200);
    expect(withoutTimes(a.body, true)).toBe(withoutTimes(b.body, false));
  });

  it.each([
    ['limit=abc'],
    ['limit='],
    ['limit'],
    ['limit=1.5'],
    ['limit=%205'],
    ['limit=99999999999999999999'],
    ['limit=-9223372036854775809'],
    ['limit=1&limit=2'],
    ['limit=%3Cx%3E'],
  ])('refuses ?%s with the same 400', async (query) => {
    const [a, b] = await both(`/schemas?${query}`);
    expect(a.status).toBe(400);
    expect({ status: a.status, body: a.body }).toEqual({ status: b.status, body: b.body });
  });

  it('refuses schema fields of the wrong type with 400, and takes null for absent, as Go does', async () => {
    const tool = (fields: Record<string, unknown>) =>
      agent('typed-3e4f5a6b', 'python', [{ function_name: 'f', capability: 'typed', ...fields }]);
    const wrong = [
      { inputSchemaCanonical: 5 },
      { outputSchemaCanonical: ['type'] },
      { outputSchemaHash: 7 },
      { schemaWarnings: [1] },
      { dependencies: [{ capability: 'x', matchMode: 5 }] },
      { dependencies: [{ capability: 'x', expectedSchemaHash: false }] },
      { dependencies: [{ capability: 'x', expectedSchemaCanonical: 'object' }] },
    ];
    for (const fields of wrong) {
      const [a, b] = await Promise.all([
        postJson(ours.baseUrl, '/heartbeat', tool(fields)),
        postJson(go.baseUrl, '/heartbeat', tool(fields)),
      ]);
      expect([a.status, b.status], JSON.stringify(fields)).toEqual([400, 400]);
    }
    const nulls = tool({
      outputSchemaCanonical: null,
      dependencies: [
        { capability: 'x', matchMode: null, expectedSchemaHash: null, expectedSchemaCanonical: null },
      ],
    });
    const [a, b] = await Promise.all([
      postJson(ours.baseUrl, '/heartbeat', nulls),
      postJson(go.baseUrl, '/heartbeat', nulls),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
  });

  it('keeps serving the catalogue after a restart', async () => {
    await ours.restart();
    expect((await postJson(ours.baseUrl, '/heartbeat', heartbeatText(WEATHER))).status).toBe(200);
    const [a, b] = await both('/schemas');
    expect(withoutTimes(a.body, true)).toBe(withoutTimes(b.body, false));
  });

  describe('with the upstream meshctl', () => {
    const home = tempDir('mesh-meshctl-home-');
    afterAll(() => home[Symbol.dispose]());

    /** meshctl's output on ours and on Go, times replaced. */
    async function meshctlOnBoth(args: string[]) {
      const { meshctl } = await ensureMeshctl();
      const outputs = await Promise.all(
        [ours.baseUrl, go.baseUrl].map(async (url) => {
          try {
            const { stdout, stderr } = await run(meshctl, [...args, '--registry-url', url], {
              env: { PATH: process.env.PATH, HOME: home.path },
              timeout: 30_000,
            });
            return { code: 0, stdout, stderr };
          } catch (error) {
            const failed = error as { code: number; stdout: string; stderr: string };
            return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
          }
        }),
      );
      return outputs.map((o) => ({
        ...o,
        stdout: o.stdout
          .replace(/\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?Z?/g, '<time>')
          .replace(/"created_at": "[^"]*"/g, '"created_at": "<time>"'),
      }));
    }

    it('lists the catalogue with list --schemas, as a table and as JSON', async () => {
      for (const args of [
        ['list', '--schemas'],
        ['list', '--schemas', '--json'],
        ['list', '--schemas', '--limit', '2'],
      ]) {
        const [a, b] = await meshctlOnBoth(args);
        expect(a!.code, a!.stderr).toBe(0);
        expect(a).toEqual(b);
      }
      const [table] = await meshctlOnBoth(['list', '--schemas']);
      expect(table!.stdout).toContain('Canonical schema entries (8 shown)');
      expect(table!.stdout).toMatch(
        /sha256:\S+ +java +<time> +\{properties: \{pages,text\}, required: \[pages,text\]\}/,
      );
    });

    it('diffs two schemas with schema diff, and fails for an unknown hash', async () => {
      const diff = ['schema', 'diff', hashOf(reportOutput), hashOf(reportOutputV2)];
      for (const args of [diff, [...diff, '--json']]) {
        const [a, b] = await meshctlOnBoth(args);
        expect(a!.code, a!.stderr).toBe(0);
        expect(a).toEqual(b);
      }
      const [shown] = await meshctlOnBoth(diff);
      expect(shown!.stdout).toContain('+ pages (integer)');
      const [a, b] = await meshctlOnBoth([
        'schema',
        'diff',
        hashOf(reportOutput),
        `sha256:${'0'.repeat(64)}`,
      ]);
      expect(a!.code).toBe(1);
      expect(a!.stderr).toContain(`schema not found: sha256:${'0'.repeat(64)}`);
      expect(a).toEqual(b);
    });
  });
});

describe('the schema catalogue across replicas', () => {
  it('serves on one replica the schemas sent through the other, keeping the first entry', async () => {
    await using first = await startRegistry();
    await using second = await startRegistry({ databaseUrl: first.databaseUrl });
    const hash = hashOf(reportOutput);
    expect(
      (
        await postJson(
          first.baseUrl,
          '/heartbeat',
          agent('writer-11aa22bb', 'python', [
            { function_name: 'w', capability: 'report', ...withSchemas(undefined, reportOutput) },
          ]),
        )
      ).status,
    ).toBe(200);
    const served = await get(second.baseUrl, `/schemas/${hash}`);
    expect(served.status).toBe(200);
    expect(JSON.parse(served.body)).toMatchObject({
      hash,
      canonical: reportOutput,
      runtime_origin: 'python',
    });

    // The same hash through the other replica (which has not seen it): the first entry stays.
    expect(
      (
        await postJson(
          second.baseUrl,
          '/heartbeat',
          agent('other-33cc44dd', 'typescript', [
            { function_name: 'w', capability: 'report', ...withSchemas(OBJECT, reportOutput) },
          ]),
        )
      ).status,
    ).toBe(200);
    const [a, b] = await Promise.all([get(first.baseUrl, '/schemas'), get(second.baseUrl, '/schemas')]);
    expect(a.body).toBe(b.body);
    const listed = JSON.parse(a.body) as {
      count: number;
      schemas: { hash: string; runtime_origin: string; created_at: string }[];
    };
    expect(listed.schemas.map((s) => [s.hash, s.runtime_origin])).toEqual([
      [hashOf(OBJECT), 'typescript'],
      [hash, 'python'],
    ]);
    expect(JSON.parse((await get(first.baseUrl, `/schemas/${hash}`)).body)).toEqual(JSON.parse(served.body));
  });
});
