"""Stand-in agent that fails at once: one line on stdout, one on stderr, exit code 3."""
import sys

print("some stdout", flush=True)
print("boom on stderr", file=sys.stderr, flush=True)
sys.exit(3)
