"""Job provider for end-to-end tests of `task=True` tools, written with the published SDK 3.8.0.

Offers tool `count_slowly(steps, step_secs)` (capability `count_slowly`, `task=True`): it counts to
`steps`, sleeping `step_secs` before each step. Run as a job (claimed from the registry), after each
step it sets the job's progress (`step <i>/<n> on <label>`) and posts an event of type `step`
(payload `{"step": i, "of": n, "by": <label>}`) to the job's event log, then completes the job with
`{"counted": n, "by": <label>}`. Called directly (no job), it just returns that result.

It prints one line per stage, for the tests to read in its output:
  "job <id> started by <label> epoch <claim_epoch>"
  "job <id> step <i>/<n> by <label>"
  "job <id> step <i> event refused: <error>"    (the job ended while this run still counted)
  "job <id> cancelled in <label> at step <i>"   (the SDK cancelled the handler)
  "job <id> completed by <label>"

Environment:
  JOBS_PROVIDER_PORT   HTTP port of the agent's MCP server (default 0 = let the SDK choose)
  JOBS_PROVIDER_NAME   agent name (default "count-provider")
  JOBS_PROVIDER_LABEL  put in results and events to tell instances apart (default: the name)
plus the SDK's own variables (MCP_MESH_REGISTRY_URL, MCP_MESH_HTTP_HOST, HOST, ...).
"""

import asyncio
import os

import mesh
import mesh.jobs
from fastmcp import FastMCP
from mesh import MeshJob

NAME = os.environ.get("JOBS_PROVIDER_NAME", "count-provider")
PORT = int(os.environ.get("JOBS_PROVIDER_PORT", "0"))
LABEL = os.environ.get("JOBS_PROVIDER_LABEL", NAME)

app = FastMCP(NAME)


def say(line: str) -> None:
    print(line, flush=True)


@app.tool()
@mesh.tool(capability="count_slowly", task=True, description="Count slowly, reporting progress.")
async def count_slowly(steps: int, step_secs: float, job: MeshJob = None) -> dict:
    """Count to `steps`, one step every `step_secs` seconds."""
    job_id = job.job_id if job is not None else None
    if job is not None:
        say(f"job {job_id} started by {LABEL} epoch {job.claim_epoch}")
        await job.update_progress(0.0, f"starting on {LABEL}")
    step = 0
    try:
        for step in range(1, steps + 1):
            await asyncio.sleep(step_secs)
            if job is not None:
                await job.update_progress(step / steps, f"step {step}/{steps} on {LABEL}")
                try:
                    await mesh.jobs.post_event(job_id, "step", {"step": step, "of": steps, "by": LABEL})
                except mesh.jobs.JobTerminalError as exc:
                    # Cancelled (or reclaimed and finished elsewhere) while this run still counts:
                    # the registry passes a cancel on to this process a moment later.
                    say(f"job {job_id} step {step} event refused: {exc}")
                say(f"job {job_id} step {step}/{steps} by {LABEL}")
    except asyncio.CancelledError:
        say(f"job {job_id} cancelled in {LABEL} at step {step}")
        raise
    result = {"counted": steps, "by": LABEL}
    if job is not None:
        await job.complete(result)
        say(f"job {job_id} completed by {LABEL}")
    return result


@mesh.agent(name=NAME, version="1.0.0", http_port=PORT, auto_run=True)
class CountProvider:
    """Agent configuration only; the SDK starts the server and keeps the process alive."""
