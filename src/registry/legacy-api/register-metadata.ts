import type { AgentRecord, CapabilityRecord } from '../../mesh/agent.js';
import { normalizeName } from '../../mesh/names.js';
import { thresholdsFor } from '../../mesh/thresholds.js';
import type { Micros } from '../../shared/clock.js';
import { resourceVersionOf } from '../../shared/clock.js';
import type { ValidationErrorItem } from '../http/common-schemas.js';
import { REQUEST_LIMITS } from '../http/request-limits.js';
import { tooLongError } from '../http/validation/ajv-to-pydantic.js';
import {
  RequestValidationError,
  typeError,
  valueError,
} from '../http/validation/request-validation-error.js';
import { parseLaxInteger } from './lax-integer.js';
import {
  checkAgentName,
  checkNamespace,
  isValidCapabilityName,
  isValidCapabilityVersion,
  isValidEndpoint,
  LEGACY_MESSAGES,
} from './legacy-rules.js';
import type { RegisterRequest } from './schemas/legacy-agents.js';

type Loc = (string | number)[];
const META: Loc = ['body', 'metadata'];

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function fail(items: ValidationErrorItem[]): never {
  throw new RequestValidationError(items);
}

/** Spec §4.4.2 step 1: only name/version/description/tags of each object entry are kept. */
function mapCapabilities(raw: unknown): CapabilityRecord[] {
  // Python iterates any truthy value; a string yields characters and a dict its keys, all skipped.
  if (!raw || typeof raw === 'string' || isObject(raw)) return [];
  if (!Array.isArray(raw)) fail([typeError('array', [...META, 'capabilities'], raw)]);
  if (raw.length > REQUEST_LIMITS.toolsPerAgent) {
    fail([tooLongError('maxItems', REQUEST_LIMITS.toolsPerAgent, [...META, 'capabilities'], raw)]);
  }
  const capabilities: CapabilityRecord[] = [];
  raw.forEach((entry: unknown, index: number) => {
    if (!isObject(entry)) return;
    const loc: Loc = [...META, 'capabilities', index];
    const errors: ValidationErrorItem[] = [];
    const name = Object.hasOwn(entry, 'name') ? entry.name : 'unknown';
    const version = Object.hasOwn(entry, 'version') ? entry.version : '1.0.0';
    const description = Object.hasOwn(entry, 'description') ? entry.description : '';
    const tags = Object.hasOwn(entry, 'tags') ? entry.tags : [];
    if (typeof name !== 'string') errors.push(typeError('string', [...loc, 'name'], name));
    else if (name.length > REQUEST_LIMITS.nameLength)
      errors.push(tooLongError('maxLength', REQUEST_LIMITS.nameLength, [...loc, 'name'], name));
    else if (!isValidCapabilityName(name))
      errors.push(valueError([...loc, 'name'], LEGACY_MESSAGES.capabilityName, name));
    if (description !== null && typeof description !== 'string') {
      errors.push(typeError('string', [...loc, 'description'], description));
    } else if (typeof description === 'string' && description.length > REQUEST_LIMITS.textLength) {
      errors.push(tooLongError('maxLength', REQUEST_LIMITS.textLength, [...loc, 'description'], description));
    }
    if (typeof version !== 'string') errors.push(typeError('string', [...loc, 'version'], version));
    else if (!isValidCapabilityVersion(version)) {
      errors.push(valueError([...loc, 'version'], LEGACY_MESSAGES.capabilityVersion, version));
    }
    if (!Array.isArray(tags)) errors.push(typeError('array', [...loc, 'tags'], tags));
    else if (tags.length > REQUEST_LIMITS.tagsPerEntry) {
      errors.push(tooLongError('maxItems', REQUEST_LIMITS.tagsPerEntry, [...loc, 'tags'], tags));
    } else {
      tags.forEach((tag: unknown, i: number) => {
        if (typeof tag !== 'string') errors.push(typeError('string', [...loc, 'tags', i], tag));
        else if (tag.length > REQUEST_LIMITS.nameLength)
          errors.push(tooLongError('maxLength', REQUEST_LIMITS.nameLength, [...loc, 'tags', i], tag));
      });
    }
    // The first invalid capability aborts the registration (spec §4.4.2 step 1).
    if (errors.length > 0) fail(errors);
    capabilities.push({
      name: name as string,
      description: description as string | null,
      version: version as string,
      tags: [...(tags as string[])],
      category: null,
      stability: 'stable',
    });
  });
  return capabilities;
}

function normalizedField(metadata: Record<string, unknown>, key: string, fallback: string): string {
  const raw = Object.hasOwn(metadata, key) ? metadata[key] : fallback;
  if (typeof raw !== 'string') fail([typeError('string', [...META, key], raw)]);
  return normalizeName(raw);
}

/**
 * Maps a legacy registration to the stored agent, in the order of spec §4.4.2 so the first
 * failure decides the error. Failures answer 422 with the rule messages of §3.6 (decision for
 * §13.3) instead of the original's 500. The stored id is the client's `agent_id` (§13.1).
 */
export function agentFromRegistration(request: RegisterRequest, now: Micros): AgentRecord {
  const { agent_id: agentId, metadata, timestamp } = request;
  const capabilities = mapCapabilities(metadata.capabilities);
  const name = normalizedField(metadata, 'name', agentId);
  const agentType = normalizedField(metadata, 'agent_type', 'mesh-agent');

  const hasEndpoint = Object.hasOwn(metadata, 'endpoint');
  const rawEndpoint = metadata.endpoint;
  if (rawEndpoint && typeof rawEndpoint !== 'string')
    fail([typeError('string', [...META, 'endpoint'], rawEndpoint)]);
  const endpoint =
    typeof rawEndpoint === 'string' &&
    (rawEndpoint.startsWith('http://') || rawEndpoint.startsWith('https://'))
      ? rawEndpoint
      : `http://localhost:0/${name}`;

  // Step 5: every remaining rule, all errors collected in model field order.
  const errors: ValidationErrorItem[] = [];
  const nameProblem = checkAgentName(name);
  if (nameProblem) errors.push(valueError([...META, 'name'], nameProblem, name));

  const namespace = Object.hasOwn(metadata, 'namespace') ? metadata.namespace : 'default';
  if (typeof namespace !== 'string') errors.push(typeError('string', [...META, 'namespace'], namespace));
  else {
    const problem = checkNamespace(namespace);
    if (problem) errors.push(valueError([...META, 'namespace'], problem, namespace));
  }

  let labels: Record<string, string> = {};
  if (isObject(metadata.tags)) {
    for (const [key, value] of Object.entries(metadata.tags)) {
      if (typeof value !== 'string') errors.push(typeError('string', [...META, 'tags', key], value));
    }
    labels = { ...(metadata.tags as Record<string, string>) };
  }

  // A falsy non-string endpoint got the placeholder, but the annotation must be a string (§4.4.3).
  if (hasEndpoint && rawEndpoint !== null && typeof rawEndpoint !== 'string') {
    errors.push(typeError('string', [...META, 'endpoint'], rawEndpoint));
  }
  if (!isValidEndpoint(endpoint))
    errors.push(valueError([...META, 'endpoint'], LEGACY_MESSAGES.endpoint, endpoint));

  const dependencies = Object.hasOwn(metadata, 'dependencies') ? metadata.dependencies : [];
  if (!Array.isArray(dependencies)) errors.push(typeError('array', [...META, 'dependencies'], dependencies));
  else if (dependencies.length > REQUEST_LIMITS.dependenciesPerTool) {
    const loc = [...META, 'dependencies'];
    errors.push(tooLongError('maxItems', REQUEST_LIMITS.dependenciesPerTool, loc, dependencies));
  } else {
    dependencies.forEach((dep: unknown, i: number) => {
      if (typeof dep !== 'string') errors.push(typeError('string', [...META, 'dependencies', i], dep));
      else if (dep.length > REQUEST_LIMITS.nameLength)
        errors.push(tooLongError('maxLength', REQUEST_LIMITS.nameLength, [...META, 'dependencies', i], dep));
    });
  }

  const interval = parseLaxInteger(
    Object.hasOwn(metadata, 'health_interval') ? metadata.health_interval : 30,
    [...META, 'health_interval'],
  );
  if (typeof interval !== 'number') errors.push(interval);

  const config = Object.hasOwn(metadata, 'metadata') ? metadata.metadata : {};
  if (!isObject(config)) errors.push(typeError('object', [...META, 'metadata'], config));

  const securityContext = Object.hasOwn(metadata, 'security_context') ? metadata.security_context : null;
  if (securityContext !== null && typeof securityContext !== 'string') {
    errors.push(typeError('string', [...META, 'security_context'], securityContext));
  }
  if (errors.length > 0) fail(errors);

  const { timeout, eviction } = thresholdsFor(agentType);
  return {
    id: agentId,
    name,
    namespace: namespace as string,
    labels,
    annotations: {
      registered_via: 'register_with_metadata',
      timestamp,
      original_name: Object.hasOwn(metadata, 'name') ? (metadata.name as string) : agentId,
      // PRESERVE (§4.4.3): the default is written with an underscore.
      original_agent_type: Object.hasOwn(metadata, 'agent_type')
        ? (metadata.agent_type as string)
        : 'mesh_agent',
      // `endpoint: null`, sent by agents of that era, counts as no endpoint (the original answered 500).
      original_endpoint: hasEndpoint && rawEndpoint !== null ? (rawEndpoint as string) : `stdio://${agentId}`,
    },
    createdAt: now,
    updatedAt: now,
    resourceVersion: resourceVersionOf(now),
    endpoint,
    capabilities,
    dependencies: dependencies as string[],
    status: 'pending',
    lastHeartbeat: null,
    healthInterval: interval as number,
    timeoutThreshold: timeout,
    evictionThreshold: eviction,
    agentType,
    config: config as Record<string, unknown>,
    securityContext: securityContext as string | null,
    protocol: 'legacy',
    topologyAt: now,
  };
}
