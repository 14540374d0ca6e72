"""Consumer agent that tells whether its dependency is injected, without calling it.

Offers tool `dependency_state` (capability `watch_service`) that depends on `date_service` and
answers "injected" or "none". Calling a dead or stalled provider would hang or fail; this answer
is what the SDK holds right now, so a test can poll it to see when the registry's verdict reached
the consumer. Works unchanged with mcp-mesh 3.8.0.

Environment:
  WATCHER_PORT   HTTP port of the agent's MCP server (default 0 = let the SDK choose)
  WATCHER_NAME   agent name (default "dependency-watcher")
plus the SDK's own variables (MCP_MESH_REGISTRY_URL, MCP_MESH_HTTP_HOST, HOST, ...).
"""

import os

import mesh
from fastmcp import FastMCP
from mesh.types import McpMeshTool

NAME = os.environ.get("WATCHER_NAME", "dependency-watcher")
PORT = int(os.environ.get("WATCHER_PORT", "0"))

app = FastMCP(NAME)


@app.tool()
@mesh.tool(capability="watch_service", dependencies=[{"capability": "date_service"}])
def dependency_state(date_service: McpMeshTool = None) -> str:
    """Whether date_service is injected right now."""
    return "none" if date_service is None else "injected"


@mesh.agent(name=NAME, http_port=PORT, auto_run=True)
class DependencyWatcher:
    """Agent configuration only; the SDK starts the server and keeps the process alive."""
