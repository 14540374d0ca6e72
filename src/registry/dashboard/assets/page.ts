/**
 * The dashboard's page (`GET /ui`): a frame the script fills. No inline script or style, so the
 * page's Content-Security-Policy can forbid both.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>MCP Mesh registry</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/ui/dashboard.css">
<script type="module" src="/ui/dashboard.js"></script>
</head>
<body>
<header>
  <h1>MCP Mesh registry</h1>
  <span id="live" class="live" data-state="connecting">connecting</span>
  <span id="summary" class="summary"></span>
  <span id="index" class="index"></span>
</header>
<main>
  <section id="agents-section" aria-labelledby="agents-title">
    <h2 id="agents-title">Agents</h2>
    <div id="agents" class="agents"><p class="empty">Loading…</p></div>
  </section>
  <section id="dependencies-section" aria-labelledby="dependencies-title">
    <h2 id="dependencies-title">Dependencies</h2>
    <div class="graph-frame"><svg id="graph" role="img" aria-label="Dependency graph"></svg></div>
    <table id="dependencies" class="dependencies">
      <thead><tr><th>Consumer</th><th>Function</th><th>Capability</th><th>Provider</th><th>Why</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
  <section id="events-section" aria-labelledby="events-title">
    <h2 id="events-title">Recent events</h2>
    <ol id="events" class="events"></ol>
  </section>
</main>
</body>
</html>
`;
