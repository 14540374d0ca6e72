/**
 * The `filestore` trust backend (upstream's FileStore): every `*.pem` file in the trust directory
 * and in its `entities/` folder (where `meshctl entity register` writes) is one entity, named by
 * its first certificate's O, else its OU, else the file name; its CA certificates are the anchors.
 * A client is trusted when its leaf is no CA, allows clientAuth and chains to an entity's anchors,
 * the first entity in file order winning. The directory is read again when it changes: watched
 * (`fs.watch`) and, where watching is unavailable or misses a change, compared every `pollMs`
 * by the names, sizes and modification times of its `.pem` files.
 */
import type { X509Certificate } from 'node:crypto';
import { type FSWatcher, readdirSync, readFileSync, statSync, watch } from 'node:fs';
import { basename, join } from 'node:path';
import { MeshError } from '../../shared/errors.js';
import {
  allowsClientAuth,
  certificatesOfPem,
  chainsToAnchor,
  isValidAt,
  subjectField,
  subjectText,
} from './certificate-path.js';
import type { TrustBackend, VerifiedClient } from './trust-backend.js';

interface EntityCa {
  id: string;
  file: string;
  anchors: X509Certificate[];
}

export interface TrustLog {
  info(message: string): void;
  warn(message: string): void;
}

/** The `.pem` files of `dir`, symlinks followed (a Kubernetes Secret volume holds symlinks). */
function pemFilesOf(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.pem'));
  } catch {
    return [];
  }
  return names
    .sort()
    .map((name) => join(dir, name))
    .filter((file) => {
      try {
        return statSync(file).isFile();
      } catch {
        return false;
      }
    });
}

function entityIdOf(first: X509Certificate, file: string): string {
  return subjectField(first, 'O') || subjectField(first, 'OU') || basename(file, '.pem');
}

export class FileStoreBackend implements TrustBackend {
  readonly name = 'filestore';
  generation = 0;
  #entities: EntityCa[] = [];
  #signature = '';
  readonly #watchers: FSWatcher[] = [];
  readonly #poll: NodeJS.Timeout;

  constructor(
    private readonly dir: string,
    private readonly log: TrustLog,
    pollMs = 1000,
  ) {
    let isDirectory = false;
    try {
      isDirectory = statSync(dir).isDirectory();
    } catch (error) {
      throw new MeshError('CONFIG_INVALID', `trust directory: ${(error as Error).message}`);
    }
    if (!isDirectory) throw new MeshError('CONFIG_INVALID', `trust directory ${dir} is not a directory`);
    this.#reloadIfChanged();
    this.#poll = setInterval(() => this.#reloadIfChanged(), pollMs).unref();
    this.#watch(dir);
    this.#watch(join(dir, 'entities'));
  }

  #watch(path: string): void {
    try {
      const watcher = watch(path, { persistent: false }, () => this.#reloadIfChanged());
      watcher.on('error', () => watcher.close());
      this.#watchers.push(watcher);
    } catch {
      // Missing folder or no inotify: the poll still notices changes.
    }
  }

  #files(): string[] {
    return [...pemFilesOf(this.dir), ...pemFilesOf(join(this.dir, 'entities'))];
  }

  #reloadIfChanged(): void {
    const files = this.#files();
    const signature = files
      .map((file) => {
        try {
          const stat = statSync(file);
          return `${file}:${stat.size}:${stat.mtimeMs}`;
        } catch {
          return `${file}:gone`;
        }
      })
      .join('\n');
    if (signature === this.#signature) return;
    this.#signature = signature;
    const entities: EntityCa[] = [];
    for (const file of files) {
      let certs: X509Certificate[];
      try {
        certs = certificatesOfPem(readFileSync(file, 'utf8'));
      } catch (error) {
        this.log.warn(`[trust/filestore] skipping ${file}: ${(error as Error).message}`);
        continue;
      }
      if (certs.length === 0) {
        this.log.warn(`[trust/filestore] skipping ${file}: no certificates found`);
        continue;
      }
      entities.push({ id: entityIdOf(certs[0]!, file), file, anchors: certs.filter((c) => c.ca) });
    }
    this.#entities = entities;
    this.generation += 1;
    this.log.info(`[trust/filestore] loaded ${entities.length} entity CA(s) from ${this.dir}`);
  }

  verify(chain: readonly X509Certificate[], now: Date): VerifiedClient | undefined {
    const [leaf, ...intermediates] = chain;
    if (leaf === undefined || leaf.ca || !isValidAt(leaf, now) || !allowsClientAuth(leaf)) return undefined;
    for (const entity of this.#entities) {
      if (chainsToAnchor(leaf, intermediates, entity.anchors, now)) {
        return { entityId: entity.id, certSubject: subjectText(leaf), backend: this.name };
      }
    }
    return undefined;
  }

  trustedCount(): number {
    return this.#entities.length;
  }

  close(): void {
    clearInterval(this.#poll);
    for (const watcher of this.#watchers) watcher.close();
  }
}
