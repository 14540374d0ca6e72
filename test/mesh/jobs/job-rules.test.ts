/**
 * The pure rules of MeshJobs: why a holder's update is refused (in upstream's order), lease
 * arithmetic, the page cursor of GET /jobs, and progress as float32.
 */
import { describe, expect, it } from 'vitest';
import { float32Value } from '../../../src/mesh/jobs/float32.js';
import { deltaRejection, hasAttemptsLeft, isTerminal } from '../../../src/mesh/jobs/job.js';
import { leaseWindow, pollLease, unixSeconds } from '../../../src/mesh/jobs/lease.js';
import { decodeListCursor, encodeListCursor } from '../../../src/mesh/jobs/list-cursor.js';

const S = 1_000_000;

describe('a holder update', () => {
  const live = { status: 'working' as const, ownerInstanceId: 'p1', claimEpoch: 2 };

  it('is accepted from the holder at its epoch, or from the holder without one', () => {
    expect(deltaRejection(live, 'p1', { claimEpoch: 2, status: 'completed' })).toBeUndefined();
    expect(deltaRejection(live, 'p1', { claimEpoch: undefined, status: undefined })).toBeUndefined();
  });

  it('is refused in upstream order: unknown job, holder (superseded with an epoch), terminal, status', () => {
    expect(deltaRejection(undefined, 'p1', { claimEpoch: 2, status: 'bogus' })).toBe('not_found');
    expect(deltaRejection(live, 'p1', { claimEpoch: 1, status: 'bogus' })).toBe('claim_superseded');
    expect(deltaRejection(live, 'p2', { claimEpoch: 2, status: undefined })).toBe('claim_superseded');
    expect(
      deltaRejection({ ...live, ownerInstanceId: null }, 'p1', { claimEpoch: 2, status: undefined }),
    ).toBe('claim_superseded');
    expect(deltaRejection(live, 'p2', { claimEpoch: undefined, status: undefined })).toBe('not_owner');
    expect(deltaRejection({ ...live, status: 'failed' }, 'p1', { claimEpoch: 2, status: 'bogus' })).toBe(
      'already_terminal',
    );
    expect(deltaRejection(live, 'p1', { claimEpoch: 2, status: 'running' })).toBe('invalid_status');
  });

  it('knows the terminal statuses and when attempts are left', () => {
    expect(
      ['working', 'input_required', 'completed', 'failed', 'cancelled'].map((s) => isTerminal(s as never)),
    ).toEqual([false, false, true, true, true]);
    expect(hasAttemptsLeft({ attemptCount: 2, maxRetries: 1 })).toBe(false);
    expect(hasAttemptsLeft({ attemptCount: 1, maxRetries: 1 })).toBe(true);
  });
});

describe('leases', () => {
  it('last max_duration, else 300 s; a poll never extends past the total deadline', () => {
    expect(leaseWindow({ maxDuration: 30 })).toBe(30 * S);
    expect(leaseWindow({ maxDuration: null })).toBe(300 * S);
    expect(pollLease({ maxDuration: 30, totalDeadline: null }, 100 * S)).toBe(130 * S);
    expect(pollLease({ maxDuration: 30, totalDeadline: 110 * S }, 100 * S)).toBe(110 * S);
  });

  it('are written in whole Unix seconds, rounded down', () => {
    expect(unixSeconds(1_700_000_000 * S + 999_999)).toBe(1_700_000_000);
  });
});

describe('the GET /jobs page cursor', () => {
  it('reads back the position it was written from', () => {
    const cursor = encodeListCursor({ submittedAt: 1_796_652_526_231_408, id: '95df781d-ef47' });
    expect(cursor).not.toMatch(/[=+/]/);
    expect(decodeListCursor(cursor)).toEqual({ submittedAt: 1_796_652_526_231_408, id: '95df781d-ef47' });
  });

  it('reads the Go registry cursor of a job submitted at a whole nanosecond count', () => {
    const go = 'MTc5NjY1MjUyNjIzMTQwODcyNDo5NWRmNzgxZC1lZjQ3LTQ5MmMtOGZmNS03N2JmMjljZGFkMmQ';
    expect(decodeListCursor(go)).toEqual({
      submittedAt: 1_796_652_526_231_408,
      id: '95df781d-ef47-492c-8ff5-77bf29cdad2d',
    });
  });

  it('refuses a cursor with the Go registry texts', () => {
    expect(decodeListCursor('@@')).toEqual({ error: 'decode base64: illegal base64 data at input byte 0' });
    expect(decodeListCursor('YWJj=')).toEqual({
      error: 'decode base64: illegal base64 data at input byte 4',
    });
    expect(decodeListCursor('abcde')).toEqual({
      error: 'decode base64: illegal base64 data at input byte 4',
    });
    expect(decodeListCursor('YWJj')).toEqual({ error: 'malformed cursor payload' });
    expect(decodeListCursor('MTIzOg')).toEqual({ error: 'malformed cursor payload' });
    expect(decodeListCursor('eDp5')).toEqual({
      error: 'parse timestamp: strconv.ParseInt: parsing "x": invalid syntax',
    });
  });
});

describe('progress', () => {
  it('is a float32, written in its shortest form', () => {
    expect(float32Value(0.3)).toBe(0.3);
    expect(float32Value(0.5)).toBe(0.5);
    expect(float32Value(1 / 3)).toBe(0.33333334);
    expect(float32Value(1)).toBe(1);
  });
});
