const PLACEHOLDERS: Record<string, RegExp> = {
  '<iso8601>': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/,
  '<iso8601Z>': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?Z$/,
  '<resource_version>': /^\d{13}$/,
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces `<uuid4:TAG>` with the id the tag stands for (our registry keeps client ids). */
export function substituteIds(text: string, ids: Record<string, string>): string {
  return text.replace(/<uuid4:([a-z0-9-]+)>/g, (_m, tag: string) => {
    const id = ids[tag];
    if (id === undefined) throw new Error(`no id known for tag ${tag}`);
    return id;
  });
}

/**
 * Compares a parsed response with a fixture body that holds the placeholders of
 * fixtures/legacy/README.md. Checks values, types and key order. Returns the mismatches.
 */
export function matchFixture(actual: unknown, expected: unknown, path = '$'): string[] {
  if (typeof expected === 'string') {
    if (expected === '<float>') {
      return typeof actual === 'number' ? [] : [`${path}: expected a float, got ${JSON.stringify(actual)}`];
    }
    const pattern = PLACEHOLDERS[expected];
    if (pattern) {
      return typeof actual === 'string' && pattern.test(actual)
        ? []
        : [`${path}: ${JSON.stringify(actual)} is not ${expected}`];
    }
    if (expected.includes('<float.1>')) {
      const re = new RegExp(`^${escapeRegExp(expected).replaceAll('<float\\.1>', '\\d+\\.\\d')}$`);
      return typeof actual === 'string' && re.test(actual)
        ? []
        : [`${path}: ${JSON.stringify(actual)} !~ ${expected}`];
    }
    return actual === expected ? [] : [`${path}: ${JSON.stringify(actual)} !== ${JSON.stringify(expected)}`];
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${path}: expected an array, got ${JSON.stringify(actual)}`];
    if (actual.length !== expected.length) return [`${path}: length ${actual.length} !== ${expected.length}`];
    return expected.flatMap((item, i) => matchFixture(actual[i], item, `${path}[${i}]`));
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return [`${path}: expected an object, got ${JSON.stringify(actual)}`];
    }
    const expectedKeys = Object.keys(expected);
    const actualKeys = Object.keys(actual);
    if (expectedKeys.join(',') !== actualKeys.join(',')) {
      return [`${path}: keys [${actualKeys}] !== [${expectedKeys}]`];
    }
    return expectedKeys.flatMap((key) =>
      matchFixture(
        (actual as Record<string, unknown>)[key],
        (expected as Record<string, unknown>)[key],
        `${path}.${key}`,
      ),
    );
  }
  return Object.is(actual, expected)
    ? []
    : [`${path}: ${JSON.stringify(actual)} !== ${JSON.stringify(expected)}`];
}

/**
 * Every number the fixture holds a `<float>` placeholder for must be written with a fraction
 * (`3.0`, §2.2). Returns the mismatches; a `<float>` key missing from the raw response is one.
 */
export function floatFractionMismatches(rawJson: string, expected: unknown): string[] {
  const expectedCounts = new Map<string, number>();
  const collect = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(collect);
    else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (item === '<float>') expectedCounts.set(key, (expectedCounts.get(key) ?? 0) + 1);
        else collect(item);
      }
    }
  };
  collect(expected);
  const mismatches: string[] = [];
  for (const [key, count] of expectedCounts) {
    const pattern = new RegExp(`"${escapeRegExp(key)}":(-?[0-9.eE+-]+)`, 'g');
    const written = [...rawJson.matchAll(pattern)].map((match) => match[1]!);
    if (written.length !== count)
      mismatches.push(`"${key}": ${count} number(s) expected, ${written.length} written`);
    for (const number of written) {
      if (!number.includes('.')) mismatches.push(`"${key}": ${number} is written without a fraction`);
    }
  }
  return mismatches;
}
