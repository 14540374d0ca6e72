/** Picks the process control for the platform the CLI runs on. */

import { posixProcessControl } from './posix-process-control.js';
import type { ProcessControl } from './process-control.js';
import { windowsProcessControl } from './windows-process-control.js';

export function processControlFor(platform: NodeJS.Platform = process.platform): ProcessControl {
  return platform === 'win32' ? windowsProcessControl : posixProcessControl(platform);
}
