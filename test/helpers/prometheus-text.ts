/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A family: its HELP and TYPE lines and its samples (`_bucket`, `_sum`, `_count` included). */
export interface Family {
  name: string;
  help: string;
  type: string;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/y;

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const match = LABEL.exec(text);
    if (!match) throw new Error(`bad labels in: ${line}`);
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** As Prometheus reads it (Go's ParseFloat): `NaN` and `Inf` in any case (prom-client writes `Nan`). */
function parseValue(text: string, line: string): number {
  if (/^\+?inf$/i.test(text)) return Number.POSITIVE_INFINITY;
  if (/^-inf$/i.test(text)) return Number.NEGATIVE_INFINITY;
  if (/^nan$/i.test(text)) return Number.NaN;
  const value = Number(text);
  if (Number.isNaN(value)) throw new Error(`bad value in: ${line}`);
  return value;
}

/**
 * Parses the text format (version 0.0.4) strictly: every line is a HELP, a TYPE, a sample of the
 * family declared last, or blank; a family is declared once. Throws on anything else.
 */
export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  let current: Family | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      if (kind === 'HELP') {
        if (families.has(name!)) throw new Error(`family ${name} declared twice`);
        current = { name: name!, help: rest!, type: '', samples: [] };
        families.set(name!, current);
      } else {
        if (current === undefined || current.name !== name) throw new Error(`TYPE without its HELP: ${line}`);
        current.type = rest!;
      }
      continue;
    }
    const sample = SAMPLE.exec(line);
    if (!sample || !current) throw new Error(`not a sample line: ${line}`);
    const [, name, labels, value] = sample;
    const suffixes = current.type === 'histogram' ? ['_bucket', '_sum', '_count'] : [''];
    if (!suffixes.some((suffix) => name === `${current!.name}${suffix}`)) {
      throw new Error(`sample ${name} outside its family ${current.name}`);
    }
    current.samples.push({
      name: name!,
      labels: parseLabels(labels ?? '', line),
      value: parseValue(value!, line),
    });
  }
  return families;
}

/** The value of the one sample of `family` named `name` whose labels include `labels`. */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
  family = name.replace(/_(bucket|sum|count)$/, ''),
): number | undefined {
  const matches = (families.get(family)?.samples ?? []).filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (matches.length > 1)
    throw new Error(`${matches.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matches[0]?.value;
}
