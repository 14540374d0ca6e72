"""Tool agent for the LLM end-to-end test, written with the published `mcp-mesh` SDK.

Offers tool `get_date(timezone: str)` with capability `date_service` (so it has an input schema
with one required string property, which is what the registry offers to `@mesh.llm` agents) and
answers `<DATE_TOOL_DATE> (<timezone>) from <agent name>`.

Environment:
  DATE_TOOL_PORT   HTTP port of the agent's MCP server (default 0 = let the SDK choose)
  DATE_TOOL_NAME   agent name (default "date-tool")
  DATE_TOOL_DATE   the fixed date answered (default "2031-03-14")
plus the SDK's own variables (MCP_MESH_REGISTRY_URL, MCP_MESH_HTTP_HOST, HOST, ...).
"""

import os

import mesh
from fastmcp import FastMCP

NAME = os.environ.get("DATE_TOOL_NAME", "date-tool")
PORT = int(os.environ.get("DATE_TOOL_PORT", "0"))
DATE = os.environ.get("DATE_TOOL_DATE", "2031-03-14")

app = FastMCP(NAME)


@app.tool()
@mesh.tool(capability="date_service", tags=["system", "time"], version="1.0.0")
def get_date(timezone: str) -> str:
    """Return today's date in the given timezone."""
    return f"{DATE} ({timezone}) from {NAME}"


@mesh.agent(name=NAME, version="1.0.0", http_port=PORT, auto_run=True)
class DateTool:
    """Agent configuration only; the SDK starts the server and keeps the process alive."""
