/**
 * The prefix of an agent's output line in a foreground `start`, as compose tools write it: the
 * agent's name padded to the longest name, then `| `; on a colour terminal each name in a colour
 * of its own.
 */

const COLOURS = [
  '\x1b[36m',
  '\x1b[33m',
  '\x1b[32m',
  '\x1b[35m',
  '\x1b[34m',
  '\x1b[91m',
  '\x1b[96m',
  '\x1b[93m',
];
const RESET = '\x1b[0m';

/** One prefix function for a set of agent names (their order picks the colours). */
export function agentOutputPrefixes(names: readonly string[], useColour: boolean): (name: string) => string {
  const width = Math.max(0, ...names.map((name) => name.length));
  return (name) => {
    const label = `${name.padEnd(width)} | `;
    if (!useColour) return label;
    const index = Math.max(0, names.indexOf(name));
    return `${COLOURS[index % COLOURS.length]}${label}${RESET}`;
  };
}
