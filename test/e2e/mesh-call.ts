import { request } from 'node:https';

/** One POST of the MCP exchange: the answer's status, session header and text. */
export type McpPost = (
  url: string,
  headers: Record<string, string>,
  body: string,
) => Promise<{ status: number; session: string | null; text: string }>;

const fetchPost: McpPost = async (url, headers, body) => {
  const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(20_000) });
  return { status: res.status, session: res.headers.get('mcp-session-id'), text: await res.text() };
};

/** POSTs over HTTPS with a client certificate, for agents that serve mTLS. */
export function mtlsPost(tls: { ca: string; cert: string; key: string }): McpPost {
  return (url, headers, body) =>
    new Promise((resolve, reject) => {
      const req = request(url, { method: 'POST', headers, ...tls, agent: false, timeout: 20_000 }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => {
          const session = res.headers['mcp-session-id'];
          resolve({
            status: res.statusCode ?? 0,
            session: typeof session === 'string' ? session : null,
            text,
          });
        });
      });
      req.on('timeout', () => req.destroy(new Error('request timed out')));
      req.on('error', reject);
      req.end(body);
    });
}

/** Calls a tool of an MCP agent over streamable HTTP JSON-RPC, as any MCP client would. */
export async function callTool(
  baseUrl: string,
  tool: string,
  args: Record<string, unknown> = {},
  post: McpPost = fetchPost,
): Promise<string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
  const rpc = async (body: Record<string, unknown>) => {
    const { status, session, text } = await post(`${baseUrl}/mcp`, headers, JSON.stringify(body));
    if (session) headers['mcp-session-id'] = session;
    if (status < 200 || status >= 300)
      throw new Error(`MCP ${String(body.method)} answered ${status}: ${text}`);
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
