import { describe, expect, it } from 'vitest';
import { drive, type Io, perform } from '../../src/storage/engine/io.js';

function* sum(calls: (() => number | Promise<number>)[]): Io<number> {
  let total = 0;
  for (const call of calls) total += yield* perform(call);
  return total;
}

describe('drive', () => {
  it('answers synchronously while every call answers synchronously', () => {
    expect(drive(sum([() => 1, () => 2, () => 3]))).toBe(6);
  });

  it('continues through promises once a call answers with one', async () => {
    const result = drive(sum([() => 1, () => Promise.resolve(2), () => 3]));
    expect(result).toBeInstanceOf(Promise);
    expect(await result).toBe(6);
  });

  it('throws a failed call into the generator, so engine code can catch it', async () => {
    function* recovering(fail: () => number | Promise<number>): Io<string> {
      try {
        yield* perform(fail);
        return 'not reached';
      } catch (error) {
        return `caught ${(error as Error).message}`;
      }
    }
    const thrown = () => {
      throw new Error('sync');
    };
    expect(drive(recovering(thrown))).toBe('caught sync');
    expect(await drive(recovering(() => Promise.reject(new Error('async'))))).toBe('caught async');
  });

  it('rejects with an error the generator does not catch', async () => {
    await expect(drive(sum([() => Promise.reject(new Error('lost'))]))).rejects.toThrow('lost');
    expect(() =>
      drive(
        sum([
          () => {
            throw new Error('lost');
          },
        ]),
      ),
    ).toThrow('lost');
  });
});
