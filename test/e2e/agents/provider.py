"""Provider agent for end-to-end tests, written with the published `mcp-mesh` SDK.

Offers tool `get_date` with capability `date_service`. Works unchanged with mcp-mesh 3.8.0 and 1.0.0.

Environment (all optional except the port in practice):
  PROVIDER_PORT      HTTP port of the agent's MCP server (default 0 = let the SDK choose)
  PROVIDER_NAME      agent name (default "date-provider")
  PROVIDER_VERSION   version of the get_date tool (default "1.2.0")
  PROVIDER_TAGS      comma-separated tags of get_date (default "system,time")
  PROVIDER_LABEL     text put in the answer to tell providers apart (default: the agent name)
  PROVIDER_DATE      the fixed date answered (default "2026-11-24")
plus the SDK's own variables (MCP_MESH_REGISTRY_URL, MCP_MESH_HTTP_HOST, HOST, ...).
"""

import os

import mesh
from fastmcp import FastMCP

NAME = os.environ.get("PROVIDER_NAME", "date-provider")
PORT = int(os.environ.get("PROVIDER_PORT", "0"))
VERSION = os.environ.get("PROVIDER_VERSION", "1.2.0")
TAGS = [t.strip() for t in os.environ.get("PROVIDER_TAGS", "system,time").split(",") if t.strip()]
LABEL = os.environ.get("PROVIDER_LABEL", NAME)
DATE = os.environ.get("PROVIDER_DATE", "2026-11-24")

app = FastMCP(NAME)


@app.tool()
@mesh.tool(capability="date_service", tags=TAGS, version=VERSION)
def get_date() -> str:
    """Return a fixed date, marked with who answered."""
    return f"{DATE} from {LABEL}"


@mesh.agent(name=NAME, version=VERSION, http_port=PORT, auto_run=True)
class DateProvider:
    """Agent configuration only; the SDK starts the server and keeps the process alive."""
