// Builds one single executable with Node's own `--build-sea`: the generator is the host's Node
// binary of SEA_NODE_VERSION (the blob format is tied to the exact version), the `executable`
// is the target platform's binary of the same version, into which Node injects the blob itself
// (ELF, Mach-O and PE alike).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { Bundle } from './bundle.ts';

export interface SeaBuild {
  /** The host's Node binary of the SEA version: writes the blob and injects it. */
  generator: string;
  /** The target's Node binary of the same version, copied, never modified. */
  executable: string;
  bundle: Bundle;
  output: string;
  /** Where to write the sea-config.json used (kept beside the bundle for inspection). */
  configPath: string;
  /**
   * V8's code cache is specific to the V8 build and CPU features of the machine that made it, so
   * it is on only when the target is the host; it saves parsing the bundle at every start.
   */
  useCodeCache: boolean;
}

export function buildSea(options: SeaBuild): void {
  const config = {
    main: options.bundle.main,
    mainFormat: 'commonjs',
    executable: options.executable,
    output: options.output,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: options.useCodeCache,
    // The default, spelled out: NODE_OPTIONS still tunes the runtime (--max-old-space-size).
    execArgvExtension: 'env',
    assets: options.bundle.assets,
  };
  writeFileSync(options.configPath, `${JSON.stringify(config, null, 2)}\n`);
  execFileSync(options.generator, ['--build-sea', options.configPath], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
