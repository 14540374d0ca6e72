/**
 * The templated transcripts of test/fixtures/cli/templates/*.txt: scenarios with exact stdout and
 * stderr bodies in which placeholders (<PORT>, <PID:name>, <UPTIME>, …) stand for run-time values
 * (fixtures/cli/README.md). A body becomes a regular expression that must match the whole output.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';

const TEMPLATES = new URL('../fixtures/cli/templates/', import.meta.url);

export interface TemplateRun {
  command: string;
  stdout: string;
  stderr: string;
}

export interface Scenario {
  name: string;
  runs: TemplateRun[];
  /** Text of "----- input file X -----" blocks, by file name. */
  inputs: Record<string, string>;
}

/** A block body: "(empty…)" is nothing; stderr lines in parentheses are commentary, not output. */
function body(lines: string[], isStderr: boolean): string {
  let kept = lines;
  if (kept.length > 0 && /^\(empty.*\)$/.test(kept[0]!.trim())) kept = [];
  if (isStderr) kept = kept.filter((line) => !/^\(.*\)$/.test(line.trim()) && !/^\(.*:$/.test(line.trim()));
  return kept.length === 0 ? '' : `${kept.join('\n')}\n`;
}

export function loadScenarios(file: string): Map<string, Scenario> {
  const text = readFileSync(new URL(file, TEMPLATES), 'utf8');
  const scenarios = new Map<string, Scenario>();
  for (const chunk of text.split(/^={10,}$/m).slice(1)) {
    const lines = chunk.split('\n');
    const name = /^SCENARIO: (.+)$/m.exec(chunk)?.[1]?.trim();
    if (!name) continue;
    const scenario: Scenario = { name, runs: [], inputs: {} };
    let command = '';
    let block: { kind: 'stdout' | 'stderr' | 'notes' | 'input'; lines: string[]; file?: string } | undefined;
    let current: Partial<TemplateRun> = {};
    const close = (atHeader = false) => {
      if (!block) return;
      // Blank lines between a block and the next header or scenario are layout, not output.
      if (atHeader) while (block.lines.length > 0 && block.lines.at(-1) === '') block.lines.pop();
      if (block.kind === 'stdout') current.stdout = body(block.lines, false);
      if (block.kind === 'stderr') {
        current.stderr = body(block.lines, true);
        scenario.runs.push({ command, stdout: current.stdout ?? '', stderr: current.stderr });
        current = {};
      }
      if (block.kind === 'input') scenario.inputs[block.file!] = `${block.lines.join('\n')}\n`;
      block = undefined;
    };
    for (const line of lines) {
      const marker = /^----- (.+?) -----$/.exec(line);
      if (marker) {
        close();
        const label = marker[1]!;
        if (label.startsWith('stdout')) block = { kind: 'stdout', lines: [] };
        else if (label.startsWith('stderr')) block = { kind: 'stderr', lines: [] };
        else if (label.startsWith('input file '))
          block = { kind: 'input', lines: [], file: label.slice('input file '.length) };
        else block = { kind: 'notes', lines: [] };
        continue;
      }
      const commandLine = /^COMMAND: (.+)$/.exec(line);
      if (commandLine) {
        close(true);
        command = commandLine[1]!.trim();
        continue;
      }
      if (!block || block.kind === 'notes') continue;
      block.lines.push(line);
    }
    close(true);
    scenarios.set(name, scenario);
  }
  return scenarios;
}

export interface Placeholders {
  port?: number;
  pids?: Record<string, number>;
  abs?: string;
  python?: string;
  /** Further placeholders of a test's own, each standing for a regular expression. */
  patterns?: Record<string, string>;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The regular expression a template body stands for, with these run-time values. */
export function templatePattern(template: string, values: Placeholders): RegExp {
  let pattern = escapeRegExp(template);
  const put = (placeholder: string, value: string) => {
    pattern = pattern.replaceAll(escapeRegExp(placeholder), value);
  };
  if (values.port !== undefined) {
    put('<PORT+1>', String(values.port + 1));
    put('<PORT>', String(values.port));
  }
  for (const [name, pid] of Object.entries(values.pids ?? {})) put(`<PID:${name}>`, String(pid));
  if (values.abs !== undefined) put('<ABS>', escapeRegExp(values.abs));
  if (values.python !== undefined) put('<PYTHON>', escapeRegExp(values.python));
  for (const [placeholder, regex] of Object.entries(values.patterns ?? {})) put(placeholder, regex);
  put('<UPTIME>', '\\d+\\.\\d');
  put('<PYFLOAT>', '\\d+\\.\\d+(?:e-\\d+)?');
  put('<MB>', '\\d+\\.\\d');
  put('<HH:MM:SS>', '\\d\\d:\\d\\d:\\d\\d');
  put('<YYYY-MM-DD HH:MM:SS>', '\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d');
  put('<reason>', '.+');
  const leftover = /<[A-Z][A-Za-z:+_-]*>/.exec(pattern.replaceAll('\\', ''));
  if (leftover) throw new Error(`placeholder without a value: ${leftover[0]}`);
  return new RegExp(`^${pattern}$`);
}

/** Asserts that `actual` is exactly the template body with the placeholders filled in. */
export function expectTemplate(actual: string, template: string, values: Placeholders): void {
  const pattern = templatePattern(template, values);
  if (!pattern.test(actual)) expect(actual).toBe(template);
}
