/** How an agent that dies at start-up is reported (cli.md §6.3): its output once, as text. */
import { describe, expect, it } from 'vitest';
import { CliSandbox } from '../helpers/cli-process.js';
import { freePort } from '../helpers/free-port.js';

const count = (text: string, part: string) => text.split(part).length - 1;

describe('agents that fail to start', () => {
  it('shows the traceback once, as text, with a hint when the mesh SDK is missing', async () => {
    using sandbox = new CliSandbox();
    const agent = sandbox.addAgent('needs_sdk.py', 'needs_sdk.py');
    const port = await freePort();
    const result = await sandbox.run(['start', '--background', '--registry-port', String(port), agent]);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
    expect(result.stdout).toContain('⚠ WARNING: No agents were started successfully');
    const { stderr } = result;
    expect(count(stderr, 'Traceback (most recent call last):'), stderr).toBe(1);
    expect(count(stderr, 'import mesh'), stderr).toBe(1);
    // No Python repr of the text: no escaped newlines anywhere.
    expect(stderr).not.toContain('\\n');
    expect(stderr).toContain('Agent needs_sdk output: Traceback (most recent call last):\n');
    expect(stderr).toContain(
      "Failed to start agent needs_sdk: Agent needs_sdk failed to start: ModuleNotFoundError: No module named 'mesh'\n",
    );
    expect(stderr).toContain(
      "Some agents failed to start: [('needs_sdk', \"Agent needs_sdk failed to start: ModuleNotFoundError: No module named 'mesh'\")]\n",
    );
    expect(stderr).toMatch(
      /^Hint: \S*python\S* cannot import the MCP Mesh SDK\. Activate the virtual environment where the mcp-mesh SDK is installed \(or install it there: pip install mcp-mesh\), then run the command again\.$/m,
    );
  });

  it('gives no SDK hint for other failures, and repeats only their last line', async () => {
    using sandbox = new CliSandbox();
    const agent = sandbox.addAgent('bad_agent.py', 'bad_agent.py');
    const port = await freePort();
    const result = await sandbox.run(['start', '--background', '--registry-port', String(port), agent]);
    expect(result.code, `${result.stdout}${result.stderr}`).toBe(1);
    expect(result.stderr).toBe(
      [
        'Agent bad_agent exited during startup. Return code: 3',
        'Agent bad_agent output: some stdout',
        'boom on stderr',
        '',
        'Failed to start agent bad_agent: Agent bad_agent failed to start: boom on stderr',
        'Failed to start agent bad_agent: Agent bad_agent failed to start: boom on stderr',
        "Some agents failed to start: [('bad_agent', 'Agent bad_agent failed to start: boom on stderr')]",
        '',
      ].join('\n'),
    );
  });
});
