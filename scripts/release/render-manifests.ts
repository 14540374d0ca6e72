// `npm run render:manifests`: writes deploy/kubernetes/*.yaml from the Helm chart (test/deploy checks they are up to date).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MANIFEST_VARIANTS, MANIFESTS_DIR, renderManifest } from './helm.ts';

for (const name of Object.keys(MANIFEST_VARIANTS)) {
  writeFileSync(join(MANIFESTS_DIR, name), renderManifest(name));
  process.stderr.write(`wrote deploy/kubernetes/${name}\n`);
}
