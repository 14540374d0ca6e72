"""Job consumer for end-to-end tests of `task=True` tools, written with the published SDK 3.8.0.

Its tools depend on the capability `count_slowly` (a `task=True` tool, see jobs_provider.py), which
the SDK injects as a job submitter (a `MeshJob`-typed parameter named after the capability):

  count(steps, step_secs, max_duration)   submits a job and waits for it (at most WAIT_SECS):
                                          {"job_id", "result"} or {"job_id", "error"}
  start_count(steps, step_secs, max_duration, max_retries=1)
                                          submits a job and answers {"job_id"} at once
  wait_count(job_id, timeout_secs)        waits for a job: {"job_id", "result"} or {"job_id", "error"}
  cancel_count(job_id, reason)            cancels a job: {"cancelled": job_id} or {"error"}

Without the submitter (no provider known yet) `count` and `start_count` answer
{"error": "no count_slowly"}. Errors are "<Type>: <message>".

Environment:
  JOBS_CONSUMER_PORT       HTTP port of the agent's MCP server (default 0 = let the SDK choose)
  JOBS_CONSUMER_NAME       agent name (default "count-consumer")
  JOBS_CONSUMER_WAIT_SECS  how long `count` waits (default 15)
plus the SDK's own variables (MCP_MESH_REGISTRY_URL, MCP_MESH_HTTP_HOST, HOST, ...).
"""

import os

import mesh
import mesh.jobs
from fastmcp import FastMCP
from mesh import MeshJob

NAME = os.environ.get("JOBS_CONSUMER_NAME", "count-consumer")
PORT = int(os.environ.get("JOBS_CONSUMER_PORT", "0"))
WAIT_SECS = float(os.environ.get("JOBS_CONSUMER_WAIT_SECS", "15"))

app = FastMCP(NAME)


def failure(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


@app.tool()
@mesh.tool(capability="count_and_wait", dependencies=["count_slowly"])
async def count(steps: int, step_secs: float, max_duration: int, count_slowly: MeshJob = None) -> dict:
    """Submit a counting job and wait for its result."""
    if count_slowly is None:
        return {"error": "no count_slowly"}
    try:
        job = await count_slowly.submit(steps=steps, step_secs=step_secs, max_duration=max_duration)
    except Exception as exc:
        return {"error": failure(exc)}
    try:
        return {"job_id": job.job_id, "result": await job.wait(timeout_secs=WAIT_SECS)}
    except Exception as exc:
        return {"job_id": job.job_id, "error": failure(exc)}


@app.tool()
@mesh.tool(capability="count_start", dependencies=["count_slowly"])
async def start_count(
    steps: int, step_secs: float, max_duration: int, max_retries: int = 1, count_slowly: MeshJob = None
) -> dict:
    """Submit a counting job and answer its id without waiting."""
    if count_slowly is None:
        return {"error": "no count_slowly"}
    try:
        job = await count_slowly.submit(
            steps=steps, step_secs=step_secs, max_duration=max_duration, max_retries=max_retries
        )
    except Exception as exc:
        return {"error": failure(exc)}
    return {"job_id": job.job_id}


@app.tool()
@mesh.tool(capability="count_wait")
async def wait_count(job_id: str, timeout_secs: float) -> dict:
    """Wait for a job by id."""
    try:
        return {"job_id": job_id, "result": await mesh.jobs.wait(job_id, timeout_secs=timeout_secs)}
    except Exception as exc:
        return {"job_id": job_id, "error": failure(exc)}


@app.tool()
@mesh.tool(capability="count_cancel")
async def cancel_count(job_id: str, reason: str) -> dict:
    """Cancel a job by id."""
    try:
        await mesh.jobs.cancel(job_id, reason)
    except Exception as exc:
        return {"error": failure(exc)}
    return {"cancelled": job_id}


@mesh.agent(name=NAME, version="1.0.0", http_port=PORT, auto_run=True)
class CountConsumer:
    """Agent configuration only; the SDK starts the server and keeps the process alive."""
