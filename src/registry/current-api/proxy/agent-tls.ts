import { readFile, stat } from 'node:fs/promises';
import { type ConnectionOptions, createSecureContext } from 'node:tls';
import { MeshError } from '../../../shared/errors.js';

/** The files the proxy's TLS identity is read from (`MCP_MESH_TLS_CA`, `_CERT`, `_KEY`). */
export interface TlsFiles {
  ca: string | undefined;
  cert: string | undefined;
  key: string | undefined;
}

/** The Go registry's answers (500) when it cannot speak TLS to an agent; details go to the log only. */
export const TLS_FILES_MISSING =
  'Proxy TLS misconfiguration: missing required TLS environment variables for HTTPS proxy';
export const TLS_FILES_UNUSABLE = 'Proxy TLS misconfiguration';

/** The TLS settings for HTTPS to agents could not be made; `message` is what the caller may see. */
export class ProxyTlsError extends MeshError {
  constructor(message: string, cause?: unknown) {
    super('PROXY_TLS_MISCONFIGURED', message, { statusCode: 500, cause });
  }
}

type TlsOptions = Pick<ConnectionOptions, 'secureContext' | 'checkServerIdentity' | 'rejectUnauthorized'>;

interface Cached {
  stamp: string;
  options: TlsOptions;
}

/**
 * The proxy's TLS options towards agents, as upstream makes them: the agent's certificate must
 * chain to the mesh CA (and only to it), its host name is not checked (agents' certificates name
 * 127.0.0.1 while pods are reached by other addresses; which hosts may be reached is decided by
 * registration, before), and the registry presents its own certificate. Read once and read again
 * when a file's size or modification time changes, so rotated certificates need no restart.
 */
export class AgentTls {
  private cached: Cached | undefined;

  constructor(private readonly files: TlsFiles) {}

  async options(): Promise<TlsOptions> {
    const { ca, cert, key } = this.files;
    if (!ca || !cert || !key) throw new ProxyTlsError(TLS_FILES_MISSING);
    try {
      const stats = await Promise.all([ca, cert, key].map((file) => stat(file)));
      const stamp = stats.map((s, i) => `${[ca, cert, key][i]}:${s.size}:${s.mtimeMs}`).join('|');
      if (this.cached?.stamp === stamp) return this.cached.options;
      const [caPem, certPem, keyPem] = await Promise.all([ca, cert, key].map((file) => readFile(file)));
      if (!caPem!.includes('-----BEGIN CERTIFICATE-----')) {
        throw new Error(`no PEM certificate in the CA file ${ca}`);
      }
      // Made here, so a key that does not fit its certificate is this error, not a failed call.
      const secureContext = createSecureContext({ ca: caPem, cert: certPem, key: keyPem });
      const options: TlsOptions = {
        secureContext,
        rejectUnauthorized: true,
        checkServerIdentity: () => undefined,
      };
      this.cached = { stamp, options };
      return options;
    } catch (error) {
      throw new ProxyTlsError(TLS_FILES_UNUSABLE, error);
    }
  }
}
