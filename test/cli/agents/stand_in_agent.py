"""Stand-in agent for the CLI tests (copied under the names the templates use: good_agent.py, ...).

It records the MCP_MESH_* environment it was given in <name>.env.json beside itself, registers with
the registry through the legacy API (POST /agents/register_with_metadata, then a heartbeat) unless its name is in
STAND_IN_SILENT (comma list), ignores SIGTERM when STAND_IN_IGNORE_SIGTERM=1, starts a child process
(`sleep 600`, its PID in <name>.child.pid) when STAND_IN_CHILD=1, and then reads stdin until EOF, as an MCP stdio server does: under
mcp_mesh_dev that EOF must never come. Only the standard library, so it runs on any python3.
"""

import json
import os
import signal
import subprocess
import sys
import urllib.request

NAME = os.path.splitext(os.path.basename(sys.argv[0]))[0]
REGISTRY = os.environ.get("MCP_MESH_REGISTRY_URL", "")


def post(path, body):
    request = urllib.request.Request(
        REGISTRY + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


if os.environ.get("STAND_IN_IGNORE_SIGTERM") == "1":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)

with open(f"{NAME}.env.json", "w") as env_file:
    json.dump({k: v for k, v in os.environ.items() if k.startswith("MCP_MESH_")}, env_file)

if os.environ.get("STAND_IN_CHILD") == "1":
    child = subprocess.Popen(["sleep", "600"])
    with open(f"{NAME}.child.pid", "w") as pid_file:
        pid_file.write(str(child.pid))

if NAME not in os.environ.get("STAND_IN_SILENT", "").split(","):
    post(
        "/agents/register_with_metadata",
        {
            "agent_id": NAME,
            "timestamp": "2026-12-03T00:00:00",
            "metadata": {
                "name": NAME,
                "endpoint": "http://localhost:0/good",
                "capabilities": [{"name": "x", "version": "1.0.0"}],
                "dependencies": ["a", "b"],
            },
        },
    )
    post("/heartbeat", {"agent_id": NAME, "status": "healthy", "metadata": {}})

print(f"{NAME} ready", flush=True)
sys.stdin.read()
print(f"{NAME} saw the end of stdin", flush=True)
