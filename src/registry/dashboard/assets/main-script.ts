/**
 * The dashboard's script, browser code as text (served as `/ui/dashboard.js` after the graph's):
 * reads `GET /agents` (and the legacy agents that are not healthy, which the default listing
 * leaves out), `GET /events` and the unresolved dependencies' audit events, renders them, and
 * reads again whenever `GET /events/stream` names a new registry index (at most once a second).
 * Everything an agent sent is written as text (textContent), never as markup.
 */
export const MAIN_SCRIPT = String.raw`
// A legacy agent is pending until its first heartbeat.
const LEGACY_STATUSES_NOT_LISTED = ['pending', 'degraded', 'expired', 'offline', 'unhealthy'];
const MIN_GAP_MS = 1000;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function count(n, one, many) {
  return n + ' ' + (n === 1 ? one : many);
}

function isCurrent(agent) {
  return Object.prototype.hasOwnProperty.call(agent, 'last_seen');
}

function timeOf(text) {
  if (!text) return '';
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toLocaleTimeString();
}

async function getJson(path) {
  const response = await fetch(path, { headers: { accept: 'application/json' }, cache: 'no-store' });
  if (!response.ok) throw new Error(path + ' answered ' + response.status);
  return { body: await response.json(), index: response.headers.get('x-mesh-index') };
}

/** Why a dependency does not resolve, from the latest audit trace of it (dependency_unresolved). */
function whyUnresolved(trace, capability, nameOf) {
  if (!trace || !Array.isArray(trace.stages)) return 'no available provider of ' + capability;
  for (const stage of trace.stages) {
    if (Array.isArray(stage.kept) && stage.kept.length > 0) continue;
    if (stage.stage === 'capability_match') return 'no agent offers ' + capability;
    // A candidate is <agent id>:<function>: named by its agent's name when the agent is listed.
    const evicted = (stage.evicted || []).map((e) => nameOf(String(e.id).split(':')[0]) + ' ' + e.reason);
    return stage.stage + ': ' + (evicted.length > 0 ? evicted.join(', ') : stage.reason || 'no candidate left');
  }
  return 'no available provider of ' + capability;
}

function traceKey(agentId, functionName, capability) {
  return agentId + '\u0000' + functionName + '\u0000' + capability;
}

function renderAgents(agents) {
  const root = document.getElementById('agents');
  if (agents.length === 0) {
    root.replaceChildren(el('p', { class: 'empty' }, 'No agents registered.'));
    return;
  }
  root.replaceChildren(
    ...agents.map((agent) => {
      const current = isCurrent(agent);
      // The SDK's own tools (MeshJobs' __mesh_job_*) are counted, not listed.
      const isBuiltIn = (cap) => current && String(cap.function_name || '').startsWith('__mesh_');
      const capabilities = (agent.capabilities || []).filter((cap) => !isBuiltIn(cap));
      const builtIn = (agent.capabilities || []).length - capabilities.length;
      const rows = capabilities.map((cap) =>
        el(
          'tr',
          {},
          el('td', { class: 'tool' }, current ? cap.function_name || cap.name : cap.name),
          el('td', { class: 'capability' }, cap.name),
          el('td', {}, cap.version || ''),
          el('td', {}, (cap.tags || []).map((tag) => el('span', { class: 'tag' }, tag))),
        ),
      );
      const total = current ? agent.total_dependencies || 0 : (agent.dependencies || []).length;
      const deps = current
        ? total === 0
          ? 'No dependencies'
          : 'Dependencies: ' + agent.dependencies_resolved + ' of ' + total + ' resolved'
        : total === 0
          ? 'No dependencies'
          : 'Dependencies: ' + agent.dependencies.join(', ');
      const unresolved = current && agent.dependencies_resolved < total;
      return el(
        'article',
        { class: 'agent', 'data-agent-id': agent.id, 'data-agent-name': agent.name, 'data-status': agent.status },
        el(
          'h3',
          {},
          el('span', { class: 'name' }, agent.name),
          el('span', { class: 'badge status-' + agent.status }, agent.status),
          el('span', { class: 'badge' }, current ? 'current' + (agent.runtime ? ' \u00b7 ' + agent.runtime : '') : 'legacy'),
        ),
        el(
          'p',
          { class: 'meta' },
          agent.id + ' \u00b7 ' + (agent.endpoint || '') +
            (agent.version ? ' \u00b7 v' + agent.version : '') +
            (current && agent.last_seen ? ' \u00b7 seen ' + timeOf(agent.last_seen) : ''),
        ),
        rows.length === 0
          ? el('p', { class: 'meta' }, 'No capabilities')
          : el(
              'table',
              { class: 'caps' },
              el('thead', {}, el('tr', {}, el('th', {}, current ? 'Tool' : 'Name'), el('th', {}, 'Capability'), el('th', {}, 'Version'), el('th', {}, 'Tags'))),
              el('tbody', {}, rows),
            ),
        builtIn > 0 ? el('p', { class: 'meta builtin' }, '+ ' + builtIn + ' built-in SDK tools') : null,
        el('p', { class: unresolved ? 'deps unresolved' : 'deps' }, deps),
      );
    }),
  );
}

function renderDependencies(agents, traces) {
  const byId = new Map(agents.map((agent) => [agent.id, agent]));
  const nodes = agents.map((agent) => ({ key: agent.id, label: agent.name, status: agent.status, title: agent.id }));
  const edges = [];
  const rows = [];
  const missing = new Map();
  for (const agent of agents) {
    if (!isCurrent(agent)) continue;
    for (const dep of agent.dependency_resolutions || []) {
      const provider = dep.provider_agent_id ? byId.get(dep.provider_agent_id) : undefined;
      const isResolved = dep.status === 'available' && dep.provider_agent_id;
      let why = '';
      if (isResolved) {
        edges.push({ from: agent.id, to: dep.provider_agent_id, label: dep.capability });
      } else {
        const trace = traces.get(traceKey(agent.id, dep.function_name, dep.capability));
        why = whyUnresolved(trace, dep.capability, (id) => (byId.has(id) ? byId.get(id).name : id));
        const key = 'missing:' + dep.capability;
        if (!missing.has(key)) missing.set(key, { key, label: dep.capability, missing: true, title: why });
        edges.push({ from: agent.id, to: key, label: dep.capability, unresolved: true });
      }
      rows.push(
        el(
          'tr',
          { 'data-consumer': agent.name, 'data-capability': dep.capability, 'data-state': isResolved ? 'resolved' : 'unresolved' },
          el('td', {}, agent.name),
          el('td', {}, dep.function_name || ''),
          el('td', {}, dep.capability, (dep.tags || []).map((tag) => el('span', { class: 'tag' }, tag))),
          isResolved
            ? el('td', { class: 'resolved' }, (provider ? provider.name : dep.provider_agent_id) + (dep.mcp_tool ? ' \u00b7 ' + dep.mcp_tool : ''))
            : el('td', { class: 'unresolved' }, 'unresolved'),
          el('td', { class: 'why' }, why),
        ),
      );
    }
  }
  drawGraph(document.getElementById('graph'), [...missing.values(), ...nodes], edges);
  const body = document.querySelector('#dependencies tbody');
  body.replaceChildren(
    ...(rows.length > 0 ? rows : [el('tr', {}, el('td', { colspan: 5, class: 'empty' }, 'No dependencies declared.'))]),
  );
  return rows.filter((row) => row.dataset.state === 'unresolved').length;
}

function renderEvents(events) {
  const root = document.getElementById('events');
  if (events.length === 0) {
    root.replaceChildren(el('li', { class: 'empty' }, 'No events yet.'));
    return;
  }
  root.replaceChildren(
    ...events.map((event) =>
      el(
        'li',
        { 'data-type': event.event_type, 'data-agent-id': event.agent_id },
        el('time', { datetime: event.timestamp }, timeOf(event.timestamp)),
        el('span', { class: 'type ' + event.event_type }, event.event_type),
        el('span', { class: 'what' }, (event.agent_name || event.agent_id) + (event.function_name ? ' \u00b7 ' + event.function_name : '')),
      ),
    ),
  );
}

let shownIndex = null;

async function load() {
  const [listing, events, unresolved, ...legacy] = await Promise.all([
    getJson('/agents'),
    getJson('/events?limit=30'),
    getJson('/events?type=dependency_unresolved&limit=200'),
    ...LEGACY_STATUSES_NOT_LISTED.map((status) => getJson('/agents?status=' + status)),
  ]);
  const agents = [...listing.body.agents];
  const seen = new Set(agents.map((agent) => agent.id));
  for (const extra of legacy) {
    for (const agent of extra.body.agents) {
      if (isCurrent(agent) || seen.has(agent.id)) continue;
      seen.add(agent.id);
      agents.push(agent);
    }
  }
  // Newest first: the first trace of each dependency is its latest.
  const traces = new Map();
  for (const event of unresolved.body.events) {
    const data = event.data || {};
    const key = traceKey(event.agent_id, event.function_name || '', (data.spec && data.spec.capability) || '');
    if (!traces.has(key)) traces.set(key, data);
  }
  renderAgents(agents);
  const unresolvedCount = renderDependencies(agents, traces);
  renderEvents(events.body.events);
  const healthy = agents.filter((agent) => agent.status === 'healthy').length;
  document.getElementById('summary').textContent =
    count(agents.length, 'agent', 'agents') + ' \u00b7 ' + healthy + ' healthy \u00b7 ' +
    count(unresolvedCount, 'unresolved dependency', 'unresolved dependencies');
  shownIndex = listing.index;
  document.getElementById('index').textContent = 'index ' + listing.index;
  document.body.dataset.index = String(listing.index);
}

let isLoading = false;
let isWanted = false;
let lastLoad = 0;
let timer;

async function refresh() {
  timer = undefined;
  if (isLoading) {
    isWanted = true;
    return;
  }
  isLoading = true;
  try {
    do {
      isWanted = false;
      lastLoad = Date.now();
      try {
        await load();
      } catch (error) {
        document.getElementById('summary').textContent = 'Could not read the registry: ' + error.message;
      }
    } while (isWanted);
  } finally {
    isLoading = false;
  }
}

function scheduleRefresh() {
  if (timer !== undefined) return;
  timer = setTimeout(refresh, Math.max(0, lastLoad + MIN_GAP_MS - Date.now()));
}

function setLive(state) {
  const live = document.getElementById('live');
  live.dataset.state = state;
  live.textContent = state;
}

const stream = new EventSource('/events/stream');
stream.addEventListener('open', () => setLive('live'));
stream.addEventListener('error', () => setLive('reconnecting'));
stream.addEventListener('index', (message) => {
  setLive('live');
  const { index } = JSON.parse(message.data);
  if (String(index) !== shownIndex) scheduleRefresh();
});
refresh();
`;
