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
    // The database's message may quote statements and hosts: the log has it (the cause), the
    // client gets the original's prefix and no more.
    throw new MeshError('WRITE_FAILED', `${prefix}: the database did not store the change`, {
      statusCode: 500,
      cause: error,
    });
  }
}
