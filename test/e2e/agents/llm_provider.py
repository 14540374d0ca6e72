"""LLM provider agent for the LLM end-to-end test: the SDK's own `@mesh.llm_provider`, whose
"model" is a deterministic fake served by this process, so no real model and no network is used.

`@mesh.llm_provider(model="openai/...")` dispatches through the SDK's native OpenAI client (the
`openai` package, already in the venv; LiteLLM is not needed), to `base_url`. Here `base_url` is a
small OpenAI-compatible `POST /v1/chat/completions` on 127.0.0.1 in a thread of this process. The
fake model:
  - when the conversation has a tool result (role `tool`): answers
    `fake-model called <tool>(<arguments>) among [<offered tools>]: <tool result>`;
  - else when tools are offered: calls the first one once, filling every required string
    parameter with `UTC`;
  - else: answers `fake-model: no tools offered`.
The SDK's provider-managed loop runs the tool call against the tool's endpoint (as sent by the
consumer, from the registry's `llm_tools`) and asks the fake model again.

Registers tool `fake_llm` (capability `llm`, tags `["fake", "openai"]`, vendor `openai`), and the
SDK's streaming variant `fake_llm_stream` (tag `ai.mcpmesh.stream`).

Environment:
  LLM_PROVIDER_PORT  HTTP port of the agent's MCP server (default 0 = let the SDK choose)
  LLM_PROVIDER_NAME  agent name (default "fake-llm-provider")
plus the SDK's own variables (MCP_MESH_REGISTRY_URL, MCP_MESH_HTTP_HOST, HOST, ...).
"""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import mesh
from fastmcp import FastMCP

NAME = os.environ.get("LLM_PROVIDER_NAME", "fake-llm-provider")
PORT = int(os.environ.get("LLM_PROVIDER_PORT", "0"))


def fake_completion(body: dict) -> dict:
    """One deterministic chat completion for an OpenAI `chat.completions` request body."""
    messages = body.get("messages") or []
    tools = body.get("tools") or []
    offered = [t.get("function", {}).get("name", "?") for t in tools]
    message: dict = {"role": "assistant", "content": None}
    finish = "stop"
    results = [m for m in messages if m.get("role") == "tool"]
    if results:
        calls = {}
        for m in messages:
            for call in m.get("tool_calls") or []:
                calls[call.get("id")] = call.get("function", {})
        last = results[-1]
        call = calls.get(last.get("tool_call_id"), {})
        content = last.get("content")
        if isinstance(content, list):
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        message["content"] = (
            f"fake-model called {call.get('name')}({call.get('arguments')}) "
            f"among [{', '.join(offered)}]: {content}"
        )
    elif tools:
        function = tools[0].get("function", {})
        parameters = function.get("parameters") or {}
        properties = parameters.get("properties") or {}
        arguments = {
            name: "UTC"
            for name in parameters.get("required") or []
            if (properties.get(name) or {}).get("type") == "string"
        }
        message["tool_calls"] = [
            {
                "id": "call_fake_1",
                "type": "function",
                "function": {"name": function.get("name"), "arguments": json.dumps(arguments)},
            }
        ]
        finish = "tool_calls"
    else:
        message["content"] = "fake-model: no tools offered"
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 0,
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


class FakeModel(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        if not self.path.endswith("/chat/completions") or body.get("stream"):
            self.send_error(400, "fake model: only buffered chat completions")
            return
        answer = json.dumps(fake_completion(body)).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
        print(f"fake-model: {format % args}", flush=True)


model_server = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
threading.Thread(target=model_server.serve_forever, daemon=True).start()
MODEL_URL = f"http://127.0.0.1:{model_server.server_address[1]}/v1"

app = FastMCP(NAME)


@mesh.llm_provider(
    model="openai/fake-model",
    capability="llm",
    tags=["fake", "openai"],
    version="1.0.0",
    base_url=MODEL_URL,
    api_key="not-a-real-key",
)
def fake_llm():
    """An LLM provider whose model is the deterministic fake above."""


@mesh.agent(name=NAME, version="1.0.0", http_port=PORT, auto_run=True)
class FakeLlmProvider:
    """Agent configuration only; the SDK starts the server and keeps the process alive."""
