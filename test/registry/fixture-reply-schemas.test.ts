/**
 * The response schemas of the routes describe what the recorded originals answered: every JSON
 * reply recorded under test/fixtures (the Python registry's scenarios and the upstream SDK
 * session) validates against the schema its route documents in /openapi.json for that status.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { send } from '../helpers/http-request.js';
import { startRegistry } from '../helpers/registry-app.js';
import { REPO_ROOT } from '../helpers/registry-process.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures');

interface RecordedReply {
  source: string;
  method: string;
  path: string;
  status: number;
  body: unknown;
}

interface LegacyStep {
  name: string;
  method: string;
  path: string;
  status: number;
  response_body?: string;
}

/** `"<float>"` stands for a JSON number in the legacy fixtures (test/fixtures/legacy/README.md). */
function parseLegacyBody(text: string): unknown {
  return JSON.parse(text.replaceAll('"<float>"', '1.5'));
}

function recordedReplies(): RecordedReply[] {
  const replies: RecordedReply[] = [];
  const index = JSON.parse(readFileSync(join(FIXTURES, 'legacy', 'index.json'), 'utf8')) as {
    scenarios: { scenario: string; steps: LegacyStep[] }[];
  };
  for (const { scenario, steps } of index.scenarios) {
    for (const step of steps) {
      if (!step.response_body?.endsWith('.json')) continue;
      const text = readFileSync(join(FIXTURES, 'legacy', step.response_body), 'utf8');
      replies.push({
        source: `legacy ${scenario}/${step.name}`,
        method: step.method,
        path: step.path,
        status: step.status,
        body: parseLegacyBody(text),
      });
    }
  }
  const session = JSON.parse(readFileSync(join(FIXTURES, 'current', 'sdk-3.8.0-session.json'), 'utf8')) as {
    exchanges: { method: string; path: string; status: number; response_body?: unknown }[];
  };
  session.exchanges.forEach((exchange, i) => {
    if (exchange.response_body === undefined || exchange.response_body === null) return;
    replies.push({ source: `current exchange ${i}`, ...exchange, body: exchange.response_body });
  });
  return replies;
}

interface OpenApiDoc {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
  components?: object;
}

/** The documented JSON schema of a reply, or undefined when its route documents none for that status. */
function documentedSchema(doc: OpenApiDoc, method: string, url: string, status: number): object | undefined {
  const path = url.split('?', 1)[0]!;
  for (const [template, operations] of Object.entries(doc.paths)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (!pattern.test(path)) continue;
    return operations[method.toLowerCase()]?.responses?.[String(status)]?.content?.['application/json']
      ?.schema;
  }
  return undefined;
}

describe('recorded replies and the response schemas', () => {
  it('validates every recorded JSON reply against the schema its route documents', async () => {
    await using registry = await startRegistry();
    const doc = JSON.parse((await send(registry.baseUrl, { path: '/openapi.json' })).body) as OpenApiDoc;
    // Formats are documentation here: the fixtures write timestamps as placeholders.
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    const failures: string[] = [];
    let validated = 0;
    for (const reply of recordedReplies()) {
      const schema = documentedSchema(doc, reply.method, reply.path, reply.status);
      if (schema === undefined) continue;
      // Component references (`#/components/...`) resolve inside this root.
      const validate = ajv.compile({ ...schema, components: doc.components });
      validated++;
      if (!validate(reply.body)) {
        failures.push(
          `${reply.source} (${reply.method} ${reply.path} ${reply.status}): ${ajv.errorsText(validate.errors)}`,
        );
      }
    }
    expect(failures).toEqual([]);
    expect(validated).toBeGreaterThan(40);
  });

  it('tells a reply that breaks its schema from one that keeps it', () => {
    const ajv = new Ajv({ strict: false, validateFormats: false });
    const doc: OpenApiDoc = {
      paths: {
        '/health/{agent_id}': {
          get: {
            responses: {
              '404': {
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: { detail: { type: 'string' } },
                      required: ['detail'],
                    },
                  },
                },
              },
            },
          },
        },
      },
    };
    const schema = documentedSchema(doc, 'GET', '/health/a-1?x=1', 404);
    expect(schema).toBeDefined();
    const validate = ajv.compile(schema!);
    expect(validate({ detail: 'Agent a-1 not found' })).toBe(true);
    expect(validate({ error: 'Agent a-1 not found' })).toBe(false);
    expect(documentedSchema(doc, 'GET', '/health/a-1', 200)).toBeUndefined();
  });
});
