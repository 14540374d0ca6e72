import { describe, expect, it } from 'vitest';
import { statement } from '../../src/storage/dialect.js';
import { drive, type Io, perform, Sent } from '../../src/storage/engine/io.js';
import { Pipeline } from '../../src/storage/engine/pipeline.js';

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

describe('Sent', () => {
  function* both(first: Sent<number>, second: Sent<number>): Io<number> {
    return (yield* first.receive()) + (yield* second.receive());
  }

  it('starts each call at once, and reads the answers later, synchronously while they are there', () => {
    const started: string[] = [];
    const first = Sent.start(() => {
      started.push('first');
      return 1;
    });
    const second = Sent.start(() => {
      started.push('second');
      return 2;
    });
    expect(started).toEqual(['first', 'second']);
    expect(drive(both(first, second))).toBe(3);
  });

  it('waits only for the answers that have not come yet', async () => {
    let answer: (value: number) => void = () => {};
    const pending = Sent.start(() => new Promise<number>((resolve) => (answer = resolve)));
    const result = drive(
      both(
        Sent.start(() => 1),
        pending,
      ),
    );
    expect(result).toBeInstanceOf(Promise);
    answer(2);
    expect(await result).toBe(3);
  });

  it('holds a failure until it is read, then throws it into the generator', async () => {
    const thrown = Sent.start((): number => {
      throw new Error('sync');
    });
    expect(thrown.hasFailed).toBe(true);
    const rejected = Sent.start(() => Promise.reject<number>(new Error('async')));
    expect(rejected.hasFailed).toBe(false);
    // Nothing read the rejection yet: no unhandled rejection may come of it.
    await new Promise((resolve) => setTimeout(resolve, 10));
    function* caught(sent: Sent<number>): Io<string> {
      try {
        return String(yield* sent.receive());
      } catch (error) {
        return `caught ${(error as Error).message}`;
      }
    }
    expect(drive(caught(thrown))).toBe('caught sync');
    expect(await drive(caught(rejected))).toBe('caught async');
  });

  it('maps an answer when it comes, and an error of the mapping is the answer', async () => {
    expect(
      drive(
        Sent.start(() => 2)
          .map((n) => n * 10)
          .receive(),
      ),
    ).toBe(20);
    expect(
      await drive(
        Sent.start(() => Promise.resolve(2))
          .map((n) => n * 10)
          .receive(),
      ),
    ).toBe(20);
    const broken = Sent.start(() => 2).map((): number => {
      throw new Error('mapping');
    });
    expect(() => drive(broken.receive())).toThrow('mapping');
  });
});

describe('Pipeline', () => {
  it('sends nothing more once a statement is known to have failed, and every later one answers that failure', () => {
    const ran: string[] = [];
    const pipe = new Pipeline({
      query: (sql) => {
        ran.push(sql.name);
        if (sql.name === 'refused') throw new Error('refused');
        return [];
      },
      execute: (sql) => {
        ran.push(sql);
        return sql;
      },
    });
    const sent: Sent<unknown>[] = [
      pipe.execute('BEGIN'),
      pipe.send(statement('fine', 'SELECT 1'), {}),
      pipe.send(statement('refused', 'SELECT 2'), {}),
      pipe.send(statement('after', 'SELECT 3'), {}),
      pipe.execute('COMMIT'),
    ];
    expect(ran).toEqual(['BEGIN', 'fine', 'refused']);
    expect(pipe.hasFailed).toBe(true);
    expect(sent.map((one) => one.hasFailed)).toEqual([false, false, true, true, true]);
    expect(() => drive(sent[4]!.receive())).toThrow('refused');
  });
});
