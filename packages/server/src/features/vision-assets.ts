/**
 * The files the browser needs for live face landmarks during guided capture, served from the installed
 * packages so the clinic never depends on a CDN: Human's browser bundle, its face models (detector, mesh,
 * iris, expression only) and the tfjs WebAssembly binaries. Each route serves a fixed allow-list built at
 * start-up; the requested name is only ever looked up in that list, never joined to a path, so nothing else
 * under node_modules is reachable.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { notFound } from '../errors.js';

const MODEL_FAMILIES = ['blazeface', 'facemesh', 'iris', 'emotion'] as const;
const MODEL_FILE = new RegExp(`^(${MODEL_FAMILIES.join('|')})\\.(json|bin)$`);
const WASM_FILE = /^tfjs-backend-wasm[a-z-]*\.wasm$/;
/** The files are not content-addressed, so a week, revalidated by ETag after an upgrade. */
const CACHE_CONTROL = 'public, max-age=604800';

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json; charset=utf-8',
  '.bin': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.js': 'text/javascript; charset=utf-8',
};

interface Asset {
  path: string;
  size: number;
  etag: string;
  contentType: string;
}

/** Packages resolve from the vision package (which depends on them), or from here when it is not built. */
function packageRoot(name: string): string {
  const here = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = createRequire(here.resolve('@contour/vision')).resolve(name);
  } catch {
    entry = here.resolve(name);
  }
  let dir = dirname(entry);
  const suffix = `${sep}${name.split('/').join(sep)}`;
  while (!dir.endsWith(suffix)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot locate the ${name} package`);
    dir = parent;
  }
  return dir;
}

function asset(path: string): Asset {
  const stat = statSync(path);
  const extension = path.slice(path.lastIndexOf('.'));
  return {
    path,
    size: stat.size,
    etag: `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`,
    contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
  };
}

function listed(dir: string, pattern: RegExp): Map<string, Asset> {
  return new Map(
    readdirSync(dir)
      .filter((name) => pattern.test(name))
      .map((name) => [name, asset(join(dir, name))]),
  );
}

function send(request: FastifyRequest, reply: FastifyReply, file: Asset | undefined, what: string): FastifyReply {
  if (!file) throw notFound(what);
  void reply.header('Cache-Control', CACHE_CONTROL).header('ETag', file.etag);
  if (request.headers['if-none-match'] === file.etag) return reply.status(304).send();
  return reply.type(file.contentType).header('Content-Length', file.size).send(createReadStream(file.path));
}

export async function visionAssetRoutes(app: FastifyInstance): Promise<void> {
  const human = packageRoot('@vladmandic/human');
  const models = listed(join(human, 'models'), MODEL_FILE);
  const missing = MODEL_FAMILIES.filter((family) => !models.has(`${family}.json`) || !models.has(`${family}.bin`));
  if (missing.length > 0) throw new Error(`Face model files are missing from @vladmandic/human: ${missing.join(', ')}`);
  const wasm = listed(join(packageRoot('@tensorflow/tfjs-backend-wasm'), 'dist'), WASM_FILE);
  const bundle = asset(join(human, 'dist', 'human.esm.js'));
  const params = Type.Object({ file: Type.String({ maxLength: 100 }) });
  const schema = { hide: true, params };

  app.get<{ Params: { file: string } }>('/models/:file', { config: { public: true }, schema }, async (request, reply) =>
    send(request, reply, models.get(request.params.file), 'The model file'),
  );
  app.get<{ Params: { file: string } }>('/vendor/tfjs-wasm/:file', { config: { public: true }, schema }, async (request, reply) =>
    send(request, reply, wasm.get(request.params.file), 'The WebAssembly file'),
  );
  app.get('/vendor/human.esm.js', { config: { public: true }, schema: { hide: true } }, async (request, reply) => send(request, reply, bundle, 'The file'));
}
