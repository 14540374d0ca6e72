/**
 * Seconds without a heartbeat before an agent is degraded (`timeout`) and expired (`eviction`),
 * by normalised agent type (spec registry-api.md §6.2). Comparisons are strict.
 */
export function thresholdsFor(agentType: string): { timeout: number; eviction: number } {
  switch (agentType) {
    case 'file-agent':
      return { timeout: 90, eviction: 180 };
    case 'worker':
      return { timeout: 45, eviction: 90 };
    case 'critical':
      return { timeout: 30, eviction: 60 };
    default:
      return { timeout: 60, eviction: 120 };
  }
}
