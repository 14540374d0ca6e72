/** The dashboard's style sheet (`GET /ui/dashboard.css`). */
export const DASHBOARD_CSS = `:root {
  --bg: #f5f6f8; --panel: #fff; --ink: #1d2330; --muted: #667085; --line: #d9dde5;
  --ok: #1a7f37; --warn: #b35900; --bad: #c4272f; --accent: #3b5bdb;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); }
header { display: flex; gap: 16px; align-items: baseline; padding: 12px 24px; background: #1d2330; color: #fff; }
header h1 { font-size: 18px; margin: 0; font-weight: 600; }
.live::before { content: "\\25CF "; }
.live[data-state="live"] { color: #6fdd8b; }
.live[data-state="connecting"], .live[data-state="reconnecting"] { color: #f5c26b; }
.summary, .index { color: #c6cbd6; }
.index { margin-left: auto; font-family: ui-monospace, monospace; font-size: 12px; }
main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(280px, 1fr); gap: 16px; padding: 16px 24px; }
#agents-section { grid-column: 1; }
#dependencies-section { grid-column: 1; }
#events-section { grid-column: 2; grid-row: 1 / span 2; }
section { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 0; }
h2 { font-size: 15px; margin: 0 0 10px; }
.agents { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 12px; }
.agent { border: 1px solid var(--line); border-left: 4px solid var(--muted); border-radius: 6px; padding: 8px 12px; }
.agent[data-status="healthy"] { border-left-color: var(--ok); }
.agent[data-status="degraded"], .agent[data-status="pending"] { border-left-color: var(--warn); }
.agent[data-status="unhealthy"], .agent[data-status="expired"], .agent[data-status="offline"] { border-left-color: var(--bad); }
.agent h3 { font-size: 14px; margin: 0 0 4px; display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
.badge { font-size: 11px; font-weight: 600; padding: 1px 6px; border-radius: 10px; background: #eef0f4; color: var(--muted); }
.badge.status-healthy { background: #dcf5e3; color: var(--ok); }
.badge.status-degraded, .badge.status-pending { background: #fdebd3; color: var(--warn); }
.badge.status-unhealthy, .badge.status-expired, .badge.status-offline { background: #fbdcde; color: var(--bad); }
.meta { color: var(--muted); font-size: 12px; margin: 0 0 6px; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: 12px; }
th { text-align: left; color: var(--muted); font-weight: 500; border-bottom: 1px solid var(--line); padding: 2px 6px 2px 0; }
td { border-bottom: 1px solid #eef0f4; padding: 3px 6px 3px 0; overflow-wrap: anywhere; vertical-align: top; }
.tag { display: inline-block; font-size: 11px; margin-left: 4px; background: #eef2ff; color: var(--accent); border-radius: 4px; padding: 0 4px; margin-bottom: 2px; }
.deps { font-size: 12px; margin: 6px 0 0; color: var(--muted); }
.unresolved { color: var(--bad); font-weight: 600; }
.resolved { color: var(--ok); }
.graph-frame { overflow-x: auto; margin-bottom: 10px; }
#graph { display: block; }
#graph .node rect { fill: #fff; stroke: var(--muted); stroke-width: 1.5; rx: 6; }
#graph .node.healthy rect { stroke: var(--ok); }
#graph .node.unhealthy rect, #graph .node.expired rect, #graph .node.offline rect { stroke: var(--bad); }
#graph .node.missing rect { stroke: var(--bad); stroke-dasharray: 4 3; fill: #fff5f5; }
#graph text { font-size: 12px; fill: var(--ink); }
#graph .edge { stroke: var(--accent); stroke-width: 1.5; fill: none; marker-end: url(#arrow); }
#graph .edge.unresolved { stroke: var(--bad); stroke-dasharray: 5 4; marker-end: url(#arrow-bad); }
#graph .edge-label { font-size: 11px; fill: var(--muted); }
.events { list-style: none; margin: 0; padding: 0; font-size: 12px; }
.events li { border-bottom: 1px solid #eef0f4; padding: 4px 0; display: grid; grid-template-columns: auto 1fr; gap: 0 8px; }
.events time { color: var(--muted); font-family: ui-monospace, monospace; }
.events .type { font-weight: 600; }
.events .type.register, .events .type.dependency_resolved { color: var(--ok); }
.events .type.unregister, .events .type.unhealthy, .events .type.expire, .events .type.dependency_unresolved { color: var(--bad); }
.events .what { grid-column: 2; color: var(--muted); overflow-wrap: anywhere; }
.empty { color: var(--muted); }
@media (max-width: 900px) { main { grid-template-columns: 1fr; } #events-section { grid-column: 1; grid-row: auto; } }
`;
