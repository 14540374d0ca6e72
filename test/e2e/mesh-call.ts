/** Calls a tool of an MCP agent over streamable HTTP JSON-RPC, as any MCP client would. */
export async function callTool(
  baseUrl: string,
  tool: string,
  args: Record<string, unknown> = {},
): Promise<string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  const rpc = async (body: Record<string, unknown>) => {
    const res = await fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(20_000),
    });
    const session = res.headers.get('mcp-session-id');
    if (session) headers['mcp-session-id'] = session;
    const text = await res.text();
    if (!res.ok) throw new Error(`MCP ${String(body.method)} answered ${res.status}: ${text}`);
    const data = text.includes('data:')
      ? text
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .at(-1)
      : text;
    return data
      ? (JSON.parse(data) as { result?: { content?: { type: string; text?: string }[] }; error?: unknown })
      : {};
  };
  await rpc({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-03-26',
      capabilities: {},
      clientInfo: { name: 'mesh-e2e', version: '1' },
    },
  });
  await rpc({ jsonrpc: '2.0', method: 'notifications/initialized' });
  const answer = await rpc({
    jsonrpc: '2.0',
    id: 2,
    method: 'tools/call',
    params: { name: tool, arguments: args },
  });
  if (answer.error) throw new Error(`tool ${tool} failed: ${JSON.stringify(answer.error)}`);
  return (answer.result?.content ?? []).map((c) => c.text ?? '').join('');
}
