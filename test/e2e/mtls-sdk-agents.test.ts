/**
 * Registration trust end to end: our registry in `strict` TLS mode and two agents of the real SDK
 * 3.8.0 with certificates made by openssl, each of its own entity (a CA per entity). They register
 * over mTLS, are resolved to each other's https endpoints and call each other over mTLS; another
 * entity cannot deregister them, and the consumer's own SIGTERM does.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { ensureVenv } from '../helpers/python-env.js';
import { REPO_ROOT, spawnRegistry } from '../helpers/registry-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { type Issued, makeCa, makeLeaf } from '../helpers/test-certificates.js';
import { startAgent, waitFor } from './agent-process.js';
import { callTool, mtlsPost } from './mesh-call.js';

const AGENTS = join(REPO_ROOT, 'test', 'e2e', 'agents');

interface Listed {
  id: string;
  name: string;
  status: string;
  endpoint: string;
  entity_id?: string;
}

function send(baseUrl: string, method: string, path: string, client: Issued, ca: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request(
      new URL(path, baseUrl),
      { method, ca, cert: client.certPem, key: client.keyPem, agent: false, timeout: 20_000 },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('SDK 3.8.0 agents over mTLS through our registry', () => {
  it('register with their entities, resolve and call each other over mTLS; only the owner deregisters', async () => {
    const { python } = await ensureVenv('3.8.0');
    using dir = tempDir('mesh-e2e-mtls-');
    const pki = join(dir.path, 'pki');
    const trust = join(dir.path, 'trust');
    mkdirSync(pki);
    mkdirSync(join(trust, 'entities'), { recursive: true });
    const meshCa = makeCa(pki, 'mesh');
    const registryCert = makeLeaf(pki, 'registry', meshCa);
    const alpha = makeCa(pki, 'alpha');
    const beta = makeCa(pki, 'beta');
    const gamma = makeCa(pki, 'gamma');
    writeFileSync(join(trust, 'entities', 'alpha.pem'), alpha.certPem);
    writeFileSync(join(trust, 'entities', 'beta.pem'), beta.certPem);
    writeFileSync(join(trust, 'entities', 'gamma.pem'), gamma.certPem);
    // Every party trusts the mesh CA (the registry's certificate, first: reqwest reads one) and both entities.
    const bundle = join(pki, 'bundle.pem');
    writeFileSync(bundle, [meshCa, alpha, beta].map((ca) => ca.certPem).join(''));
    const caText = readFileSync(bundle, 'utf8');
    const provider = makeLeaf(pki, 'date-provider', alpha, { organization: 'alpha' });
    const consumer = makeLeaf(pki, 'report-consumer', beta, { organization: 'beta' });
    const caller = makeLeaf(pki, 'test-caller', alpha, { organization: 'alpha' });
    const intruder = makeLeaf(pki, 'intruder', gamma, { organization: 'gamma' });

    await using registry = await spawnRegistry(undefined, {
      MCP_MESH_DATABASE_URL: `sqlite://${join(dir.path, 'e2e.db')}`,
      MCP_MESH_TLS_MODE: 'strict',
      MCP_MESH_TLS_CERT: registryCert.cert,
      MCP_MESH_TLS_KEY: registryCert.key,
      MCP_MESH_TRUST_BACKEND: 'filestore',
      MCP_MESH_TRUST_DIR: trust,
    });
    expect(registry.baseUrl).toMatch(/^https:/);
    const listed = async (status = 'healthy') =>
      (
        JSON.parse(
          (await send(registry.baseUrl, 'GET', `/agents?status=${status}`, caller, caText)).body,
        ) as {
          agents: Listed[];
        }
      ).agents;

    const tlsEnv = (cert: Issued) => ({
      MCP_MESH_REGISTRY_URL: registry.baseUrl,
      MCP_MESH_DEBUG_MODE: 'false',
      MCP_MESH_TLS_MODE: 'strict',
      MCP_MESH_TLS_CERT: cert.cert,
      MCP_MESH_TLS_KEY: cert.key,
      MCP_MESH_TLS_CA: bundle,
      // On a loaded machine the SDK's uvicorn may take longer than its default 30 s to start serving.
      MCP_MESH_SERVER_STARTUP_TIMEOUT: '120',
    });
    const [providerPort, consumerPort] = [await freePort(), await freePort()];
    await using providerAgent = startAgent(python, join(AGENTS, 'provider.py'), {
      ...tlsEnv(provider),
      PROVIDER_PORT: String(providerPort),
    });
    await using consumerAgent = startAgent(python, join(AGENTS, 'consumer.py'), {
      ...tlsEnv(consumer),
      CONSUMER_PORT: String(consumerPort),
    });
    try {
      const healthy = await waitFor(listed, (a) => a.length === 2, 60_000, 'both agents healthy');
      const byName = (name: string) => healthy.find((a) => a.name === name)!;
      expect(byName('date-provider')).toMatchObject({
        entity_id: 'alpha',
        endpoint: `https://127.0.0.1:${providerPort}`,
      });
      expect(byName('report-consumer')).toMatchObject({
        entity_id: 'beta',
        endpoint: `https://127.0.0.1:${consumerPort}`,
      });

      // The consumer reaches the provider at the https endpoint we resolved, over mTLS.
      const post = mtlsPost({ ca: caText, cert: caller.certPem, key: caller.keyPem });
      const consumerUrl = `https://127.0.0.1:${consumerPort}`;
      const wired = await waitFor(
        () => callTool(consumerUrl, 'make_report', {}, post),
        (text) => text.startsWith('report: 2026-11-24 from date-provider'),
        30_000,
        'the consumer to answer through the provider',
      );
      expect(wired).toBe('report: 2026-11-24 from date-provider');

      // Another trusted entity cannot deregister the provider.
      const providerId = byName('date-provider').id;
      const refused = await send(registry.baseUrl, 'DELETE', `/agents/${providerId}`, intruder, caText);
      expect(refused.status).toBe(403);
      expect(JSON.parse(refused.body).error).toBe('entity_id mismatch: agent owned by another entity');
      expect((await listed()).map((a) => a.name).sort()).toEqual(['date-provider', 'report-consumer']);

      // The consumer's own SIGTERM deregisters it (DELETE with its certificate).
      await consumerAgent.kill('SIGTERM');
      await waitFor(
        listed,
        (a) => a.length === 1 && a[0]!.name === 'date-provider',
        10_000,
        'the consumer deregistered',
      );
    } catch (error) {
      throw new Error(
        `${(error as Error).message}\n--- provider:\n${providerAgent.output().slice(-3000)}\n--- consumer:\n${consumerAgent.output().slice(-3000)}\n--- registry:\n${registry.stderr().slice(-3000)}`,
      );
    }
  }, 180_000);
});
