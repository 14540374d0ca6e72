/** `mcp_mesh_dev completion bash|zsh`: scripts generated from the command table, run in a real bash. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ParserSpec } from '../../src/cli/args/parser-spec.js';
import { TOP_PARSER } from '../../src/cli/command-table.js';
import { CliSandbox } from '../helpers/cli-process.js';

/** Every command path with its parser: start, config, config show, … */
function everyParser(parser: ParserSpec, path: string[] = []): [string[], ParserSpec][] {
  return [
    [path, parser],
    ...(parser.subcommands?.commands ?? []).flatMap((command) =>
      everyParser(command.parser, [...path, command.name]),
    ),
  ];
}

describe('mcp_mesh_dev completion', () => {
  it('prints a bash script that completes commands, subcommands, flags and choices as the table has them', async () => {
    using sandbox = new CliSandbox();
    const result = await sandbox.run(['completion', 'bash']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const script = join(sandbox.root, 'completion.bash');
    writeFileSync(script, result.stdout);
    /** What bash offers after these words (the last one is being typed). */
    const complete = (...words: string[]) =>
      execFileSync(
        'bash',
        [
          '-c',
          `source "$0"; COMP_WORDS=(mcp_mesh_dev "$@"); COMP_CWORD=$#; _mcp_mesh_dev; printf '%s\\n' "\${COMPREPLY[@]}"`,
          script,
          ...words,
        ],
        { encoding: 'utf8', cwd: sandbox.cwd },
      )
        .split('\n')
        .filter(Boolean)
        .sort();
    for (const [path, parser] of everyParser(TOP_PARSER)) {
      const offered = complete(...path, '');
      for (const command of parser.subcommands?.commands ?? []) expect(offered).toContain(command.name);
      for (const option of parser.options) {
        expect(complete(...path, '--')).toContain(option.flag);
        if (option.choices) expect(complete(...path, option.flag, '')).toEqual([...option.choices].sort());
      }
    }
    expect(complete('st')).toEqual(['start', 'status', 'stop']);
    expect(complete('comp')).toEqual(['completion']);
    expect(complete('completion', '')).toEqual(['--help', '-h', 'bash', 'zsh']);
    expect(complete('config', 's')).toEqual(['save', 'set', 'show']);
    // A flag's value is skipped when finding the command and the next flag.
    expect(complete('start', '--registry-port', '9000', '--de')).toEqual(['--debug']);
    expect(complete('start', '--log-level', 'D')).toEqual(['DEBUG']);
  });

  it('prints a zsh script with every command, subcommand, flag and choice of the table', async () => {
    using sandbox = new CliSandbox();
    const result = await sandbox.run(['completion', 'zsh']);
    expect(result.code, result.stderr).toBe(0);
    const script = result.stdout;
    expect(script.startsWith('#compdef mcp_mesh_dev\n')).toBe(true);
    // A real zsh reads it and registers the completion function for the command.
    const file = join(sandbox.root, '_mcp_mesh_dev');
    writeFileSync(file, script);
    execFileSync('zsh', ['-n', file]);
    const loaded = execFileSync(
      'zsh',
      [
        '-f',
        '-c',
        'autoload -U compinit; compinit -u -d "$2"; source "$1"; print -r -- $_comps[mcp_mesh_dev]; whence -w _mcp_mesh_dev_config_show',
        'zsh',
        file,
        join(sandbox.root, 'zcompdump'),
      ],
      { encoding: 'utf8', env: { ...process.env, HOME: sandbox.home } },
    );
    expect(loaded).toBe('_mcp_mesh_dev\n_mcp_mesh_dev_config_show: function\n');
    for (const [path, parser] of everyParser(TOP_PARSER)) {
      const fn = ['_mcp_mesh_dev', ...path.map((word) => word.replace(/\W/g, '_'))].join('_');
      expect(script).toContain(`${fn}() {`);
      for (const command of parser.subcommands?.commands ?? []) {
        expect(script).toContain(`'${command.name}:`);
      }
      for (const option of parser.options) {
        expect(script).toContain(`'${option.flag}[`);
        if (option.choices) expect(script).toContain(`(${option.choices.join(' ')})`);
      }
    }
  });

  it('refuses another shell with a usage error (exit 2), and leaves the commands of the original as they were', async () => {
    using sandbox = new CliSandbox();
    const result = await sandbox.run(['completion', 'fish']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      "usage: mcp_mesh_dev completion {bash,zsh}\nmcp_mesh_dev completion: error: argument SHELL: invalid choice: 'fish' (choose from 'bash', 'zsh')\n",
    );
    const help = await sandbox.run(['--help']);
    expect(help.stdout).toContain('source <(mcp_mesh_dev completion bash)');
  });
});
