/**
 * The environment each child process of the CLI is given (cli.md §5.3 step 6, §6.4), built in one
 * place from plain inputs. Pure: it reads nothing, writes nothing, and returns a new object.
 */

export type Environment = Record<string, string | undefined>;

/** Where the tracked registry listens and which database it serves (the process state's registry_state). */
export interface RegistryWhereabouts {
  url: string;
  host: string;
  port: number;
  database_path: string;
}

/** The registry process: the CLI's environment with its database URL. */
export interface RegistryChild {
  kind: 'registry';
  databaseUrl: string;
  /** Seconds between the registry's health sweeps, when `start` was given one (`HEALTH_CHECK_INTERVAL`). */
  healthCheckInterval?: number | undefined;
}

/** An agent process: the registry's whereabouts (or the configured ones), debug and log level. */
export interface AgentChild {
  kind: 'agent';
  /** The tracked registry while its state is valid (§4.4); undefined otherwise. */
  registry: RegistryWhereabouts | undefined;
  /** The configured registry, used only when neither the tracked state nor the environment names one. */
  configured: { url: string; host: string; port: number };
  debug: boolean;
  logLevel: string;
}

/** What `start` exports into its own environment once the registry runs (§5.3 step 6). */
export function registryVariables(registry: RegistryWhereabouts): Record<string, string> {
  return {
    MCP_MESH_REGISTRY_URL: registry.url,
    MCP_MESH_REGISTRY_HOST: registry.host,
    MCP_MESH_REGISTRY_PORT: String(registry.port),
    MCP_MESH_DATABASE_URL: `sqlite:///${registry.database_path}`,
  };
}

/** The environment for a child of the CLI: `base` (the CLI's own) plus what that child needs. */
export function childEnvironment(base: Environment, child: RegistryChild | AgentChild): Environment {
  if (child.kind === 'registry') {
    const env: Environment = { ...base, MCP_MESH_DATABASE_URL: child.databaseUrl };
    if (child.healthCheckInterval !== undefined)
      env.HEALTH_CHECK_INTERVAL = String(child.healthCheckInterval);
    return env;
  }
  const env: Environment = { ...base };
  if (child.registry) {
    Object.assign(env, registryVariables(child.registry));
  } else if (env.MCP_MESH_REGISTRY_URL === undefined) {
    Object.assign(env, {
      MCP_MESH_REGISTRY_URL: child.configured.url,
      MCP_MESH_REGISTRY_HOST: child.configured.host,
      MCP_MESH_REGISTRY_PORT: String(child.configured.port),
    });
  }
  env.MCP_MESH_DEBUG = child.debug ? '1' : '0';
  env.MCP_MESH_LOG_LEVEL = child.logLevel;
  // Output goes to a log file; unbuffered, `logs --follow` sees lines as they are written.
  env.PYTHONUNBUFFERED ??= '1';
  return env;
}
