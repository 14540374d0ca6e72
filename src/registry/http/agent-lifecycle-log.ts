import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AgentLifecycleChange } from '../../storage/registry-store.js';
import { appWide } from './app-wide.js';

/**
 * One `info` line per lifecycle change, with the agent's id, name and what changed as fields:
 * `agent registered` (new to the database), `agent deregistered` (its `DELETE`: it stays listed
 * as unhealthy), `agent status changed` (a sweep, a heartbeat that revives it, a registration
 * that changes it), `agent removed` (purged after the retention).
 */
export function logLifecycleChange(logger: Logger, change: AgentLifecycleChange): void {
  if (change.kind === 'removed') {
    logger.info({ agentId: change.id, name: change.name }, 'agent removed');
    return;
  }
  const { agent } = change;
  if (change.kind === 'deregistered') {
    logger.info(
      { agentId: agent.id, name: agent.name, from: change.from, to: agent.status },
      'agent deregistered',
    );
    return;
  }
  if (change.kind === 'status') {
    logger.info(
      { agentId: agent.id, name: agent.name, from: change.from, to: agent.status },
      'agent status changed',
    );
    return;
  }
  logger.info(
    {
      agentId: agent.id,
      name: agent.name,
      protocol: agent.protocol,
      status: agent.status,
      endpoint: agent.endpoint,
    },
    'agent registered',
  );
}

/**
 * Logs each agent registration, deregistration and status change this process commits, once:
 * the store tells of its own commits only, so replicas sharing a database never log one change
 * twice (each replica logs what it wrote; pulls are silent).
 */
export const agentLifecycleLog = appWide<{ logger: Logger }>(
  'agent-lifecycle-log',
  async (app: FastifyInstance, { logger }) => {
    const unsubscribe = app.store.onLifecycle((change) => logLifecycleChange(logger, change));
    app.addHook('onClose', async () => unsubscribe());
  },
);
