"""Consumer agent for end-to-end tests, written with the published `mcp-mesh` SDK.

Offers tool `make_report` (capability `report_service`) that depends on `date_service`
(tag and version constraint from the environment) and answers
  "report: <what the provider answered>"  when the dependency was injected, or
  "report: no date_service"                when the SDK injected nothing (None), or
  "report: error <Type>: <message>"        when the injected proxy failed.
Works unchanged with mcp-mesh 3.8.0 and 1.0.0.

Environment:
  CONSUMER_PORT        HTTP port of the agent's MCP server (default 0 = let the SDK choose)
  CONSUMER_NAME        agent name (default "report-consumer")
  CONSUMER_DEP_TAGS    comma-separated tags required of the provider (default "system";
                       may use +tag / -tag; an empty string means no tag filter)
  CONSUMER_DEP_VERSION version constraint on the provider (default ">=1.0.0"; empty = none)
plus the SDK's own variables (MCP_MESH_REGISTRY_URL, MCP_MESH_HTTP_HOST, HOST, ...).
"""

import inspect
import os

import mesh
from fastmcp import FastMCP
from mesh.types import McpMeshTool

NAME = os.environ.get("CONSUMER_NAME", "report-consumer")
PORT = int(os.environ.get("CONSUMER_PORT", "0"))
DEP_TAGS = [t.strip() for t in os.environ.get("CONSUMER_DEP_TAGS", "system").split(",") if t.strip()]
DEP_VERSION = os.environ.get("CONSUMER_DEP_VERSION", ">=1.0.0")

dependency = {"capability": "date_service", "tags": DEP_TAGS}
if DEP_VERSION:
    dependency["version"] = DEP_VERSION

app = FastMCP(NAME)


def _text(result) -> str:
    """Flattens what the proxy returned (a str, or an MCP result object) to text."""
    if isinstance(result, str):
        return result
    content = getattr(result, "content", None)
    if content:
        parts = [getattr(c, "text", None) for c in content]
        texts = [p for p in parts if isinstance(p, str)]
        if texts:
            return "".join(texts)
    return str(result)


@app.tool()
@mesh.tool(capability="report_service", dependencies=[dependency])
async def make_report(date_service: McpMeshTool = None) -> str:
    """Build a report line using the injected date service, if any."""
    if date_service is None:
        return "report: no date_service"
    try:
        answer = date_service()
        if inspect.isawaitable(answer):
            answer = await answer
    except Exception as exc:  # the provider may have died while still wired
        return f"report: error {type(exc).__name__}: {exc}"
    return f"report: {_text(answer)}"


@mesh.agent(name=NAME, http_port=PORT, auto_run=True)
class ReportConsumer:
    """Agent configuration only; the SDK starts the server and keeps the process alive."""
