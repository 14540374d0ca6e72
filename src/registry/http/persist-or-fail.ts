import { MeshError } from '../../shared/errors.js';

/**
 * Awaits a store write. A write that did not commit is never acknowledged: it answers a JSON
 * error with the original's prefix (decision for spec §13.5) instead of a success.
 */
export async function persistOrFail<T>(write: Promise<T>, prefix: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof MeshError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new MeshError('WRITE_FAILED', `${prefix}: ${message}`, { statusCode: 500, cause: error });
  }
}
