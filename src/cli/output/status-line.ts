import { type PyValue, pyStr } from './python-values.js';

/** The levels of a status line (cli.md §2.1). */
export type StatusLevel = 'success' | 'info' | 'warning' | 'error' | 'critical';

const LEVELS: Record<StatusLevel, { label: string; symbol: string; colour: string }> = {
  success: { label: 'SUCCESS', symbol: '\u2713', colour: '\x1b[32m' },
  info: { label: 'INFO', symbol: '\u2139', colour: '\x1b[36m' },
  warning: { label: 'WARNING', symbol: '\u26a0', colour: '\x1b[33m' },
  error: { label: 'ERROR', symbol: '\u2717', colour: '\x1b[31m' },
  critical: { label: 'CRITICAL', symbol: '\u{1f4a5}', colour: '\x1b[35m' },
};
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

/** Detail lines under a status line: insertion order, values rendered with Python `str()`. */
export type Details = Record<string, PyValue>;

/**
 * Renders one status line with its details, ending in a newline. Colours only when `useColour`
 * (stdout a terminal, decided once per run, §2.1, and no NO_COLOR, which the original ignored).
 */
export function renderStatusLine(
  level: StatusLevel,
  message: string,
  details: Details | undefined,
  useColour: boolean,
): string {
  const { label, symbol, colour } = LEVELS[level];
  let text = useColour
    ? `${colour}${symbol} ${BOLD}${label}${RESET}${colour}: ${message}${RESET}`
    : `${symbol} ${label}: ${message}`;
  for (const [key, value] of Object.entries(details ?? {})) {
    if (value !== undefined) text += `\n  ${key}: ${pyStr(value)}`;
  }
  return `${text}\n`;
}
