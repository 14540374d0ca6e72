import { describe, expect, it } from 'vitest';
import { MeshError } from '../../src/shared/errors.js';
import { redactDatabaseUrl } from '../../src/storage/database-url.js';
import { poolConfigFromUrl } from '../../src/storage/postgres/connection-config.js';

describe('PostgreSQL settings from the database URL', () => {
  it('reads sslmode itself: no warning from pg-connection-string about its own reading of prefer, require or verify-ca', async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.message);
    process.on('warning', onWarning);
    try {
      for (const mode of ['prefer', 'require', 'verify-ca', 'verify-full'])
        poolConfigFromUrl(`postgresql://mesh@db.internal/mesh?sslmode=${mode}`);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warnings.filter((message) => message.includes('sslmode') || message.includes('SSL'))).toEqual([]);
  });

  it('reads host, port, user, password and database, percent-decoded', () => {
    expect(poolConfigFromUrl('postgresql://mesh%40ops:p%3Ass%2Fword@db.internal:6432/mesh_registry')).toEqual(
      {
        host: 'db.internal',
        port: 6432,
        user: 'mesh@ops',
        password: 'p:ss/word',
        database: 'mesh_registry',
        // No sslmode is libpq's prefer: TLS first (database-url-safety.test.ts).
        ssl: { rejectUnauthorized: false },
      },
    );
  });

  it('accepts postgres:// and leaves what the URL omits to PGHOST, PGUSER and friends', () => {
    expect(poolConfigFromUrl('postgres://db/mesh')).toMatchObject({
      host: 'db',
      port: 5432,
      user: undefined,
      password: undefined,
      database: 'mesh',
    });
  });

  it('takes a unix socket directory and other settings from query parameters, as libpq does', () => {
    expect(poolConfigFromUrl('postgresql:///mesh?host=/var/run/postgresql&user=registry')).toMatchObject({
      host: '/var/run/postgresql',
      user: 'registry',
      database: 'mesh',
    });
  });

  it.each([
    ['disable', false],
    ['prefer', { rejectUnauthorized: false }],
    ['require', { rejectUnauthorized: false }],
    ['verify-full', { rejectUnauthorized: true, ca: undefined }],
  ])('maps sslmode=%s to the TLS settings of pg', (mode, ssl) => {
    expect(poolConfigFromUrl(`postgresql://u@h/d?sslmode=${mode}`).ssl).toEqual(ssl);
  });

  it('checks the chain but not the host name for sslmode=verify-ca', () => {
    const ssl = poolConfigFromUrl('postgresql://u@h/d?sslmode=verify-ca').ssl as Record<string, unknown>;
    expect(ssl.rejectUnauthorized).toBe(true);
    expect(typeof ssl.checkServerIdentity).toBe('function');
  });

  it.each([
    ['postgresql://u:hunter2@h/d?sslmode=sometimes', /Unknown sslmode "sometimes"/],
    ['postgresql://u:hunter2@h/d?sslmod=require', /Unsupported parameter "sslmod"/],
    ['postgresql://u:hunter2@h:99999/d', /Invalid port|Invalid database URL/],
  ])('refuses %s with a message that hides the password', (url, message) => {
    let error: unknown;
    try {
      poolConfigFromUrl(url);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MeshError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('redactDatabaseUrl', () => {
  it('hides the password in the authority and in a password parameter', () => {
    expect(redactDatabaseUrl('postgresql://mesh:hunter2@db:5432/x')).toBe('postgresql://mesh:***@db:5432/x');
    expect(redactDatabaseUrl('postgresql://db/x?user=u&password=hunter2&sslmode=require')).toBe(
      'postgresql://db/x?user=u&password=***&sslmode=require',
    );
  });
});
