/** The Python that runs agents (cli.md §5.8 [DECIDE]): the active virtualenv's, else the first on PATH. */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

export class PythonNotFoundError extends Error {
  constructor() {
    super('Python interpreter not found (tried $VIRTUAL_ENV/bin/python, python3, python)');
  }
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of the interpreter, looked up in `env` (not the CLI's own process environment). */
export function findPython(
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform = process.platform,
): string {
  const windows = platform === 'win32';
  const venv = env.VIRTUAL_ENV;
  if (venv) {
    const candidate = windows ? join(venv, 'Scripts', 'python.exe') : join(venv, 'bin', 'python');
    if (isExecutableFile(candidate)) return resolve(candidate);
  }
  const names = windows ? ['python.exe', 'py.exe'] : ['python3', 'python'];
  const directories = (env.PATH ?? env.Path ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && isAbsolute(dir));
  for (const name of names) {
    for (const dir of directories) {
      const candidate = join(dir, name);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  throw new PythonNotFoundError();
}
