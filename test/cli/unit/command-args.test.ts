import { describe, expectTypeOf, it } from 'vitest';
import type { CommandArgs } from '../../../src/cli/command-table.js';

// Checked by `tsc`: the argument types come from the command table, so these fail to compile when
// the table and what a command receives drift apart.
describe('argument types derived from the command table', () => {
  it('types flags as booleans, ints as numbers and options without a default as optional', () => {
    expectTypeOf<CommandArgs['start']['debug']>().toEqualTypeOf<boolean>();
    expectTypeOf<CommandArgs['start']['registry_port']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<CommandArgs['start']['agent_files']>().toEqualTypeOf<string[]>();
    expectTypeOf<CommandArgs['stop']['timeout']>().toEqualTypeOf<number>();
    expectTypeOf<CommandArgs['stop']['agent']>().toEqualTypeOf<string | undefined>();
  });

  it('types a choice as one of its choices and a single positional as a string', () => {
    expectTypeOf<CommandArgs['logs']['level']>().toEqualTypeOf<'DEBUG' | 'INFO' | 'WARNING' | 'ERROR'>();
    expectTypeOf<CommandArgs['start']['log_level']>().toEqualTypeOf<
      'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL' | undefined
    >();
    expectTypeOf<CommandArgs['restart-agent']['agent_name']>().toEqualTypeOf<string>();
  });

  it('types a sub-command word and its sub-parser values as possibly absent', () => {
    expectTypeOf<CommandArgs['config']['action']>().toEqualTypeOf<
      'show' | 'set' | 'reset' | 'path' | 'save' | undefined
    >();
    expectTypeOf<CommandArgs['config']['format']>().toEqualTypeOf<'yaml' | 'json' | undefined>();
    expectTypeOf<CommandArgs['config']['key']>().toEqualTypeOf<string | undefined>();
  });
});
