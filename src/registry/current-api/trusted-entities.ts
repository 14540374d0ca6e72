/**
 * The TLS entities this registry trusts, as `/admin/entities` lists them: one CA certificate per
 * entity in `<trust dir>/entities/<name>.pem` (config.ts's `trustDir`, where upstream's
 * `meshctl entity` keeps them). Files that are not certificates are skipped.
 */
import { X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface TrustedEntity {
  name: string;
  /** `CN=…` then each `O=…`, or the whole subject when it has no common name. */
  subject: string;
  /** Expiry day, `YYYY-MM-DD` (UTC). */
  expires: string;
}

function subjectOf(cert: X509Certificate): string {
  const fields = cert.subject.split('\n').map((line) => {
    const at = line.indexOf('=');
    return { key: line.slice(0, at), value: line.slice(at + 1) };
  });
  const commonName = fields.find((f) => f.key === 'CN');
  if (commonName === undefined) return fields.map((f) => `${f.key}=${f.value}`).join(',');
  return [commonName, ...fields.filter((f) => f.key === 'O')].map((f) => `${f.key}=${f.value}`).join(',');
}

export async function listTrustedEntities(directory: string): Promise<TrustedEntity[]> {
  const entitiesDir = join(directory, 'entities');
  let names: string[];
  try {
    names = (await readdir(entitiesDir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && entry.name.endsWith('.pem'))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
  const entities: TrustedEntity[] = [];
  for (const file of names) {
    try {
      const cert = new X509Certificate(await readFile(join(entitiesDir, file)));
      entities.push({
        name: file.slice(0, -'.pem'.length),
        subject: subjectOf(cert),
        expires: new Date(cert.validTo).toISOString().slice(0, 10),
      });
    } catch {
      // Not a certificate: upstream skips it too.
    }
  }
  return entities;
}
