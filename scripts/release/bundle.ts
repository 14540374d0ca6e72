// Bundles each executable's entry into one CommonJS file, the form a single executable runs:
// inside one, require() reaches only Node's built-in modules (node:sqlite among them).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENTRIES = join(REPO_ROOT, 'scripts', 'release', 'entries');

export interface Bundle {
  /** The bundled script. */
  main: string;
  /** SEA asset key → file path, embedded beside the script. */
  assets: Record<string, string>;
}

/**
 * @fastify/swagger-ui reads its logo and serves its assets from files beside its source. In the
 * bundle, @fastify/static is replaced by a plugin serving them from SEA assets, and the logo is
 * read from the same place. Each rewrite must match, so that an upgrade that changes the code
 * fails this build instead of a registry at run time.
 */
function embedSwaggerUi(): Plugin {
  return {
    name: 'embed-swagger-ui',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^@fastify\/static$/ }, () => ({
        path: join(ENTRIES, 'embedded-static.ts'),
      }));
      pluginBuild.onLoad({ filter: /[\\/]@fastify[\\/]swagger-ui[\\/]index\.js$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const readLogo = "fsPromises.readFile(path.join(__dirname, './static/logo.svg'))";
        if (!source.includes(readLogo)) throw new Error(`@fastify/swagger-ui changed: no ${readLogo}`);
        const contents = source.replace(
          readLogo,
          "Promise.resolve(Buffer.from(require('node:sea').getAsset('swagger-ui/logo.svg')))",
        );
        return { contents, loader: 'js' };
      });
    },
  };
}

/**
 * The same rewrites for a Bun executable (scripts/release/bun-executable.ts), which has no
 * `node:sea`: the assets are files embedded by `bun build --compile` through a module of
 * `import … with { type: 'file' }` written beside the bundle (`bun-assets.mjs`, left external
 * here and bundled by Bun), whose values are paths inside the executable that `node:fs` reads.
 */
function embedSwaggerUiForBun(): Plugin {
  return {
    name: 'embed-swagger-ui-bun',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^@fastify\/static$/ }, () => ({
        path: join(ENTRIES, 'bun-embedded-static.ts'),
      }));
      pluginBuild.onResolve({ filter: /^mesh:bun-assets$/ }, () => ({
        path: './bun-assets.mjs',
        external: true,
      }));
      pluginBuild.onLoad({ filter: /[\\/]@fastify[\\/]swagger-ui[\\/]index\.js$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const readLogo = "fsPromises.readFile(path.join(__dirname, './static/logo.svg'))";
        if (!source.includes(readLogo)) throw new Error(`@fastify/swagger-ui changed: no ${readLogo}`);
        const contents = source.replace(
          readLogo,
          "fsPromises.readFile(require('mesh:bun-assets').default['swagger-ui/logo.svg'])",
        );
        return { contents, loader: 'js' };
      });
    },
  };
}

/**
 * Files of swagger-ui's folder that /docs never loads: its index.html uses the bundle build, not
 * swagger-ui.js, and the registry has no OAuth. Left out, they save 0.4 MB in every executable.
 */
const UNUSED_SWAGGER_ASSETS = new Set(['swagger-ui.js', 'oauth2-redirect.html', 'oauth2-redirect.js']);

function swaggerUiAssets(): Record<string, string> {
  const staticDir = join(
    dirname(fileURLToPath(import.meta.resolve('@fastify/swagger-ui/package.json'))),
    'static',
  );
  const assets: Record<string, string> = {};
  for (const name of readdirSync(staticDir)) {
    if (UNUSED_SWAGGER_ASSETS.has(name)) continue;
    assets[`swagger-ui/${name}`] = join(staticDir, name);
  }
  return assets;
}

async function bundle(entry: string, outfile: string, plugins: Plugin[]): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    // node:sqlite and node:sea are newer than esbuild's list of built-ins: keep every node: import.
    external: ['node:*'],
    // ESM sources use import.meta.url (createRequire, paths beside the module); in the CommonJS
    // bundle it is the URL of the bundle's file, which inside a single executable is the executable.
    define: { 'import.meta.url': '__bundleUrl' },
    banner: { js: "var __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    // Whitespace and syntax only: names stay, for stack traces and plugin names.
    minifySyntax: true,
    minifyWhitespace: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    plugins,
  });
}

/** The registry's bundle, with Swagger UI's assets. */
export async function bundleRegistry(outDir: string): Promise<Bundle> {
  const main = join(outDir, 'mcp-mesh-registry.cjs');
  await bundle(join(ENTRIES, 'registry.ts'), main, [embedSwaggerUi()]);
  return { main, assets: swaggerUiAssets() };
}

/**
 * The registry's bundle for `bun build --compile`: the same code, with Swagger UI's assets
 * embedded as Bun embeds files (see embedSwaggerUiForBun). Returns the bundle; `bun-assets.mjs`
 * is written beside it.
 */
export async function bundleRegistryForBun(outDir: string): Promise<string> {
  const main = join(outDir, 'mcp-mesh-registry-bun.cjs');
  await bundle(join(ENTRIES, 'registry.ts'), main, [embedSwaggerUiForBun()]);
  const assets = Object.entries(swaggerUiAssets());
  const imports = assets.map(
    ([, path], i) => `import a${i} from ${JSON.stringify(path)} with { type: 'file' };`,
  );
  const entries = assets.map(([key], i) => `  ${JSON.stringify(key)}: a${i},`);
  writeFileSync(
    join(outDir, 'bun-assets.mjs'),
    `${imports.join('\n')}\nexport default {\n${entries.join('\n')}\n};\n`,
  );
  return main;
}

/** The developer CLI's bundle. */
export async function bundleCli(outDir: string): Promise<Bundle> {
  const main = join(outDir, 'mcp_mesh_dev.cjs');
  await bundle(join(ENTRIES, 'cli.ts'), main, []);
  return { main, assets: {} };
}
