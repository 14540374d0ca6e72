"""`@mesh.llm` consumer agent for the LLM end-to-end test, written with the published SDK.

Offers tool `ask_date(question)` (capability `date_assistant`); its LLM gets the tools of
capability `date_service` (`filter`) and the provider of capability `llm` tagged `fake` from the
registry (`llm_tools`, `llm_providers` of the heartbeat answer). Answers
  "assistant: <what the LLM answered>"   when the provider answered, or
  "assistant: no llm"                    when the SDK injected nothing, or
  "assistant: error <Type>: <message>"   when the call failed.

Environment:
  LLM_CONSUMER_PORT  HTTP port of the agent's MCP server (default 0 = let the SDK choose)
  LLM_CONSUMER_NAME  agent name (default "date-assistant")
plus the SDK's own variables (MCP_MESH_REGISTRY_URL, MCP_MESH_HTTP_HOST, HOST, ...).
"""

import os

import mesh
from fastmcp import FastMCP

NAME = os.environ.get("LLM_CONSUMER_NAME", "date-assistant")
PORT = int(os.environ.get("LLM_CONSUMER_PORT", "0"))

app = FastMCP(NAME)


@app.tool()
@mesh.llm(
    filter=[{"capability": "date_service"}],
    provider={"capability": "llm", "tags": ["fake"]},
    max_iterations=3,
    system_prompt="Answer questions about dates with the tools offered.",
)
@mesh.tool(capability="date_assistant", version="1.0.0")
async def ask_date(question: str = "What is the date today?", llm: mesh.MeshLlmAgent = None) -> str:
    """Ask the mesh's LLM a question about dates."""
    if llm is None:
        return "assistant: no llm"
    try:
        return f"assistant: {await llm(question)}"
    except Exception as exc:  # the provider or the tool may be gone while still wired
        return f"assistant: error {type(exc).__name__}: {exc}"


@mesh.agent(name=NAME, version="1.0.0", http_port=PORT, auto_run=True)
class DateAssistant:
    """Agent configuration only; the SDK starts the server and keeps the process alive."""
