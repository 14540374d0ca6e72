"""Stand-in agent whose Python has no MCP Mesh SDK: it hides site-packages, then imports `mesh`,
so it fails the way an agent does when its virtual environment is not active."""
import sys

sys.path = [entry for entry in sys.path if "-packages" not in entry]

import mesh  # noqa: E402,F401
