/**
 * Loads @vladmandic/human for Node without tfjs-node and without the network
 * (see ../shared/reference/offline-vision-notes.md):
 * - the wasm build (`dist/human.node-wasm.js`) is loaded by path, as its exports map hides it;
 * - models are read from the package's own `models/` folder through a fetch that serves those files and
 *   refuses every other URL, so no code path can reach the network;
 * - the wasm binaries come from `@tensorflow/tfjs-backend-wasm/dist`, and start-up fails loudly if the
 *   wasm backend is not the one running (the silent fallback is ~35× slower).
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { Config, Human } from '@vladmandic/human';
import type * as HumanModule from '@vladmandic/human';
import { humanConfig } from './human-config.js';

const require = createRequire(import.meta.url);

function packageRoot(entry: string, name: string): string {
  let dir = dirname(entry);
  while (!dir.endsWith(`${sep}${name.split('/').join(sep)}`)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot locate the ${name} package`);
    dir = parent;
  }
  return dir;
}

export const HUMAN_ROOT = packageRoot(require.resolve('@vladmandic/human'), '@vladmandic/human');
export const MODELS_DIR = join(HUMAN_ROOT, 'models');
export const WASM_DIR = join(packageRoot(require.resolve('@tensorflow/tfjs-backend-wasm'), '@tensorflow/tfjs-backend-wasm'), 'dist') + sep;

let offlineFetchInstalled = false;

/** Replaces this thread's fetch: model files from the package, nothing else. */
function installOfflineModelFetch(): void {
  if (offlineFetchInstalled) return;
  offlineFetchInstalled = true;
  const modelsUrl = pathToFileURL(MODELS_DIR).href + '/';
  globalThis.fetch = async (input: string | URL | Request): Promise<Response> => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith(modelsUrl) || url.includes('..')) {
      throw new Error(`Contour's face models never use the network (refused ${url.split('?')[0]})`);
    }
    const bytes = await readFile(fileURLToPath(url));
    return new Response(bytes, { status: 200, headers: { 'content-type': url.endsWith('.json') ? 'application/json' : 'application/octet-stream' } });
  };
}

export async function loadHuman(): Promise<Human> {
  installOfflineModelFetch();
  const { Human: HumanClass } = require(join(HUMAN_ROOT, 'dist', 'human.node-wasm.js')) as typeof HumanModule;
  const human = new HumanClass(humanConfig({ modelBasePath: pathToFileURL(MODELS_DIR).href + '/', wasmPath: WASM_DIR }) as Partial<Config>);
  await human.load();
  await human.tf.ready();
  const backend = human.tf.getBackend();
  if (backend !== 'wasm') {
    throw new Error(`Face models need the tfjs WebAssembly backend, but "${backend}" is active. Check that @tensorflow/tfjs-backend-wasm is installed.`);
  }
  return human;
}

/**
 * The face model as plan versions record it ("model version" in the decision record): the Human release and
 * the models its configuration enables. Read from the installed package, so an upgrade shows in new records.
 */
export const FACE_MODEL_VERSION: string = (() => {
  const { version } = JSON.parse(readFileSync(join(HUMAN_ROOT, 'package.json'), 'utf8')) as { version: string };
  return `human ${version}: blazeface + facemesh 478 + iris + emotion (tfjs wasm)`;
})();
