/** `mcp_mesh_dev config show|set|reset|path|save` (cli.md §3.9). */

import type { CommandArgs } from '../command-table.js';
import type { CliConfig } from '../config/cli-config.js';
import { configPath } from '../config/config-path.js';
import type { CliContext } from '../context.js';
import { pyStr } from '../output/python-values.js';

export type ConfigArgs = CommandArgs['config'];

type ConfigModule = typeof import('../config/cli-config.js');

/** `config show`: sorted `key: value` lines with Python `str()` values, or the file's JSON. */
function renderShow(
  { CONFIG_KEYS, renderConfigFile }: ConfigModule,
  config: CliConfig,
  format: string,
): string {
  if (format === 'json') return `${renderConfigFile(config)}\n`;
  if (format !== 'yaml') throw new Error(`Unsupported format: ${format}`);
  return [...CONFIG_KEYS]
    .sort()
    .map((key) => `${key}: ${pyStr(config[key])}\n`)
    .join('');
}

export async function run(args: ConfigArgs, ctx: CliContext): Promise<number> {
  const path = configPath(ctx.home);
  if (args.action === undefined) return 0;
  if (args.action === 'path') {
    // Nothing is loaded or created for `path` (§3.9), so it starts as fast as --version.
    ctx.out.print(`Configuration file: ${path}`);
    return 0;
  }
  const config = await import('../config/cli-config.js');
  const { DEFAULT_CONFIG, loadConfig, saveConfig } = config;
  const load = () => loadConfig({ home: ctx.home, cwd: ctx.cwd, env: ctx.env });
  try {
    switch (args.action) {
      case 'show':
        ctx.out.print(renderShow(config, load(), args.format ?? 'yaml').replace(/\n$/, ''));
        return 0;
      case 'reset':
        saveConfig(path, { ...DEFAULT_CONFIG });
        ctx.out.print('Configuration reset to defaults');
        return 0;
      case 'save':
        saveConfig(path, load());
        ctx.out.print(`Current configuration saved to ${path}`);
        return 0;
      case 'set':
        return setValue(config, args.key, args.value, ctx);
    }
  } catch (error) {
    ctx.out.log(`Configuration error: ${(error as Error).message}`);
    return 1;
  }
}

function setValue(
  { convertSetValue, isConfigKey, loadConfig, saveConfig, validateConfig }: ConfigModule,
  key: string | undefined,
  value: string | undefined,
  ctx: CliContext,
): number {
  if (key === undefined || value === undefined) {
    ctx.out.log("Error: key and value are required for 'set' action");
    return 1;
  }
  const converted = convertSetValue(key, value);
  if (converted === undefined) {
    ctx.out.log(`Error: Invalid value '${value}' for key '${key}'`);
    return 1;
  }
  const config = loadConfig({ home: ctx.home, cwd: ctx.cwd, env: ctx.env });
  // Unknown keys are accepted, echoed and dropped, as in the original (§3.9).
  const updated = isConfigKey(key) ? { ...config, [key]: converted } : config;
  validateConfig(updated as unknown as Record<string, unknown>, ctx.cwd);
  saveConfig(configPath(ctx.home), updated);
  ctx.out.print(`Set ${key} = ${pyStr(converted)}`);
  return 0;
}
