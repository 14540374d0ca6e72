/**
 * What a database URL may leak and what it means: redaction that holds for URLs no parser
 * accepts, and libpq's meaning of sslmode (prefer tries TLS first), sslcert, sslkey and
 * application_name read as libpq reads them (through pg-connection-string).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { persistOrFail } from '../../src/registry/http/persist-or-fail.js';
import { MeshError } from '../../src/shared/errors.js';
import { redactDatabaseUrl, redactSecrets } from '../../src/storage/database-url.js';
import { databaseUnavailable } from '../../src/storage/engine/snapshot-sync.js';
import { connectionPlanFromUrl, poolConfigFromUrl } from '../../src/storage/postgres/connection-config.js';
import { tempDir } from '../helpers/temp-dir.js';

const SECRET = 'S3cr@t/pa?ss#wd';

describe('password redaction', () => {
  it.each([
    [`postgresql://mesh:${SECRET}@db.internal:5432/registry`, SECRET],
    [`postgresql://mesh:${SECRET}@`, SECRET],
    [`postgres://:${SECRET}@db/x`, SECRET],
    [`postgresql://mesh:${SECRET} with space@db/x?sslmode=require`, `${SECRET} with space`],
    [`postgresql://mesh:${SECRET}@db:notaport/x`, SECRET],
    [`postgresql://db/x?user=u&PASSWORD=${SECRET}`, SECRET],
    [`postgresql://db/x?sslpassword=${SECRET}&sslmode=require`, SECRET],
  ])('hides the password of %s, parsable or not', (url, password) => {
    const shown = redactDatabaseUrl(url);
    for (const part of [SECRET, 'S3cr', 'pa?ss', 'ss#wd']) expect(shown).not.toContain(part);
    expect(shown).toContain('***');
    // A driver's message may quote the URL anywhere, or the password alone, encoded or not.
    const message = `connect failed for ${url}: password "${password}" refused (${encodeURIComponent(password)})`;
    const cleaned = redactSecrets(message, url);
    for (const part of [password, encodeURIComponent(password), 'S3cr']) expect(cleaned).not.toContain(part);
  });

  it('refuses a URL it cannot read without quoting its password', () => {
    for (const url of [
      `postgresql://mesh:${SECRET}@db:99999/x`,
      `postgresql://mesh:${SECRET}@db/x?sslmode=maybe`,
    ]) {
      let error: unknown;
      try {
        poolConfigFromUrl(url);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(MeshError);
      expect((error as Error).message).not.toContain('S3cr');
    }
  });
});

describe('sslmode as libpq means it', () => {
  it('prefer tries TLS (unverified) first, then plain; allow the other way round', () => {
    const prefer = connectionPlanFromUrl('postgresql://u@h/d?sslmode=prefer');
    expect(prefer.config.ssl).toEqual({ rejectUnauthorized: false });
    expect(prefer.fallback?.ssl).toBe(false);
    // No sslmode is prefer, as for libpq.
    expect(connectionPlanFromUrl('postgresql://u@h/d').config.ssl).toEqual({ rejectUnauthorized: false });
    const allow = connectionPlanFromUrl('postgresql://u@h/d?sslmode=allow');
    expect(allow.config.ssl).toBe(false);
    expect(allow.fallback?.ssl).toEqual({ rejectUnauthorized: false });
    for (const mode of ['disable', 'require', 'verify-full']) {
      expect(connectionPlanFromUrl(`postgresql://u@h/d?sslmode=${mode}`).fallback, mode).toBeUndefined();
    }
  });

  it('reads sslrootcert, sslcert and sslkey files and application_name; require with a root certificate verifies the chain', () => {
    using dir = tempDir('mesh-pg-url-');
    const file = (name: string, text: string) => {
      const path = join(dir.path, name);
      writeFileSync(path, text);
      return path;
    };
    const ca = file('ca.pem', 'CA PEM');
    const cert = file('client.pem', 'CERT PEM');
    const key = file('client.key', 'KEY PEM');
    const url = `postgresql://u@h/d?sslmode=verify-full&sslrootcert=${ca}&sslcert=${cert}&sslkey=${key}&application_name=mesh-a`;
    const config = poolConfigFromUrl(url);
    expect(config.ssl).toMatchObject({
      rejectUnauthorized: true,
      ca: 'CA PEM',
      cert: 'CERT PEM',
      key: 'KEY PEM',
    });
    expect(config.application_name).toBe('mesh-a');
    const require = poolConfigFromUrl(`postgresql://u@h/d?sslmode=require&sslrootcert=${ca}`).ssl as Record<
      string,
      unknown
    >;
    expect(require.rejectUnauthorized).not.toBe(false);
    expect(typeof require.checkServerIdentity).toBe('function');
  });

  it('names a certificate file it cannot read without quoting the password', () => {
    expect(() =>
      poolConfigFromUrl(`postgresql://u:${SECRET}@h/d?sslmode=require&sslcert=/nonexistent/c.pem`),
    ).toThrow(/sslcert|nonexistent/);
    try {
      poolConfigFromUrl(`postgresql://u:${SECRET}@h/d?sslmode=require&sslcert=/nonexistent/c.pem`);
    } catch (error) {
      expect((error as Error).message).not.toContain('S3cr');
    }
  });
});

describe('error answers', () => {
  it('name no internal host in the 503 of an unreachable database', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.20.30.40:5432'), {
      code: 'ECONNREFUSED',
    });
    const answer = databaseUnavailable(refused).message;
    expect(answer).toMatch(/^Registry database unavailable \(.+\); the registry reconnects/);
    expect(answer).not.toContain('10.20.30.40');
    const lookup = Object.assign(new Error('getaddrinfo ENOTFOUND db.internal.corp'), { code: 'ENOTFOUND' });
    expect(databaseUnavailable(lookup).message).not.toContain('db.internal.corp');
  });

  it('quote no SQL text or database message for a write that failed', async () => {
    const failure = new Error('syntax error at or near "INSERT INTO mesh_agents (id) VALUES ($1)"');
    const error = await persistOrFail(Promise.reject(failure), 'Failed to process heartbeat').catch((e) => e);
    expect(error).toBeInstanceOf(MeshError);
    expect((error as Error).message).toMatch(/^Failed to process heartbeat: /);
    expect((error as Error).message).not.toContain('INSERT');
    expect((error as MeshError).cause).toBe(failure);
  });
});
