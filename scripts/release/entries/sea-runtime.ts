// What both single executables do before their main(), as their bin scripts do under npm.

/** node:sqlite still prints an experimental warning on some Node lines; it would only confuse. */
export function silenceSqliteWarning(): void {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (String(warning).includes('SQLite')) return;
    return (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
}
