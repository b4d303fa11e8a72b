import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from '../test/harness.js';
import { FileBlobStore, S3BlobStore, createBlobStore, type BlobStore } from './blob-store.js';

/** The shape of the keys the vault uses: organisation/patient/file uuids. */
const blobKey = (): string => `${randomUUID()}/${randomUUID()}/${randomUUID()}`;

const UNSAFE_KEYS = [
  '../x',
  '../../etc/passwd',
  'abc/../../x',
  '/etc/passwd',
  '/tmp/x',
  '',
  'a//b',
  'a/',
  './a',
  'ABC',
  'a b',
  'a\\b',
  'a\0b',
  'name.jpg',
];

/** The same behaviour, whichever store holds the blobs. */
function behavesLikeABlobStore(store: () => BlobStore, jpeg: () => Buffer): void {
  it('puts and gets the exact bytes back', async () => {
    const key = blobKey();
    await store().put(key, jpeg());
    const back = await store().get(key);
    expect(back).not.toBeNull();
    expect(back!.equals(jpeg())).toBe(true);
  });

  it('overwrites a blob put again under the same key', async () => {
    const key = blobKey();
    await store().put(key, Buffer.from('first version'));
    const second = randomBytes(4096);
    await store().put(key, second);
    expect((await store().get(key))!.equals(second)).toBe(true);
  });

  it('keeps blobs under different keys apart', async () => {
    const a = blobKey();
    const b = blobKey();
    await store().put(a, Buffer.from('a'));
    await store().put(b, Buffer.from('b'));
    expect((await store().get(a))!.toString()).toBe('a');
    expect((await store().get(b))!.toString()).toBe('b');
  });

  it('answers null for a key that was never stored', async () => {
    expect(await store().get(blobKey())).toBeNull();
    expect(await store().get('0123-abcd')).toBeNull();
  });

  it('deletes a blob, after which get answers null', async () => {
    const key = blobKey();
    await store().put(key, jpeg());
    await store().delete(key);
    expect(await store().get(key)).toBeNull();
  });

  it('deleting a missing blob is not an error', async () => {
    await expect(store().delete(blobKey())).resolves.toBeUndefined();
  });

  it('stores an empty blob', async () => {
    const key = blobKey();
    await store().put(key, Buffer.alloc(0));
    const back = await store().get(key);
    expect(back).not.toBeNull();
    expect(back!.length).toBe(0);
  });

  it.each(UNSAFE_KEYS)('refuses the unsafe key %j for put, get and delete', async (key) => {
    await expect(store().put(key, Buffer.from('x'))).rejects.toThrow(/unsafe blob key/);
    await expect(store().get(key)).rejects.toThrow(/unsafe blob key/);
    await expect(store().delete(key)).rejects.toThrow(/unsafe blob key/);
  });
}

let jpeg: Buffer;
beforeAll(async () => {
  jpeg = await fixture('faces/london-001-neutral.jpg');
});

describe('FileBlobStore', () => {
  let root: string;
  let outside: string;
  let store: FileBlobStore;
  beforeEach(async () => {
    outside = await mkdtemp(join(tmpdir(), 'contour-blobs-'));
    root = join(outside, 'files');
    store = new FileBlobStore(root);
  });
  afterEach(async () => {
    await rm(outside, { recursive: true, force: true });
  });

  behavesLikeABlobStore(() => store, () => jpeg);

  it('writes each blob to <root>/<key> with mode 0600, in directories with mode 0700', async () => {
    const key = blobKey();
    await store.put(key, jpeg);
    const path = join(root, key);
    expect((await readFile(path)).equals(jpeg)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const [org, patient] = key.split('/');
    expect(statSync(join(root, org!)).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, org!, patient!)).mode & 0o777).toBe(0o700);
  });

  it('leaves no temporary files behind', async () => {
    const key = blobKey();
    await store.put(key, jpeg);
    await store.put(key, Buffer.from('again'));
    const dir = join(root, ...key.split('/').slice(0, 2));
    expect(readdirSync(dir)).toEqual([key.split('/')[2]]);
  });

  it('removes the file on delete', async () => {
    const key = blobKey();
    await store.put(key, jpeg);
    await store.delete(key);
    expect(existsSync(join(root, key))).toBe(false);
  });

  it('never writes outside its root for an unsafe key', async () => {
    await expect(store.put('../escaped', Buffer.from('x'))).rejects.toThrow();
    expect(existsSync(join(outside, 'escaped'))).toBe(false);
    expect(existsSync(root)).toBe(false);
  });

  it('passes on errors other than a missing file', async () => {
    const key = blobKey();
    await store.put(`${key}/0abc`, Buffer.from('x'));
    // `key` is now a directory: reading it is an error, not "missing".
    await expect(store.get(key)).rejects.toThrow();
  });
});

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
// s3rver is CommonJS without type declarations.
const S3rver = createRequire(import.meta.url)('s3rver') as new (options: Record<string, unknown>) => S3rverInstance;

describe('S3BlobStore against a real S3-compatible server (s3rver)', () => {
  let directory: string;
  let server: S3rverInstance;
  let endpoint: string;
  let store: S3BlobStore;
  const savedEnv = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'contour-s3rver-'));
    server = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory,
      configureBuckets: [{ name: 'contour' }],
    });
    const address = await server.run();
    endpoint = `http://127.0.0.1:${address.port}`;
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    store = new S3BlobStore(new URL(`s3://contour/prefix?endpoint=${endpoint}&region=us-east-1&forcePathStyle=true`));
  });

  afterAll(async () => {
    await server?.close();
    await rm(directory, { recursive: true, force: true });
    if (savedEnv.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
    else process.env.AWS_ACCESS_KEY_ID = savedEnv.id;
    if (savedEnv.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
    else process.env.AWS_SECRET_ACCESS_KEY = savedEnv.secret;
  });

  behavesLikeABlobStore(() => store, () => jpeg);

  it('stores objects under the prefix in the bucket', async () => {
    const key = blobKey();
    await store.put(key, jpeg);
    // Not at the bucket root...
    const bare = new S3BlobStore(new URL(`s3://contour?endpoint=${endpoint}&region=us-east-1&forcePathStyle=true`));
    expect(await bare.get(key)).toBeNull();
    // ...and another prefix does not see it either.
    const other = new S3BlobStore(new URL(`s3://contour/other?endpoint=${endpoint}&region=us-east-1&forcePathStyle=true`));
    expect(await other.get(key)).toBeNull();
    // ...but where a store with the same prefix (slashes trimmed) finds it.
    const nested = new S3BlobStore(new URL(`s3://contour//prefix/?endpoint=${endpoint}&region=us-east-1&forcePathStyle=true`));
    expect((await nested.get(key))!.equals(jpeg)).toBe(true);
  });

  it('reports a missing bucket as an error, not as a missing blob', async () => {
    const wrong = new S3BlobStore(new URL(`s3://no-such-bucket?endpoint=${endpoint}&region=us-east-1&forcePathStyle=true`));
    await expect(wrong.get(blobKey())).rejects.toThrow();
  });
});

describe('createBlobStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'contour-create-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses <dataDir>/files when STORAGE_URL is not set', async () => {
    const store = createBlobStore(null, dir);
    expect(store.kind).toBe('file');
    const key = blobKey();
    await store.put(key, Buffer.from('x'));
    expect(existsSync(join(dir, 'files', key))).toBe(true);
  });

  it('uses the directory of a file: URL', async () => {
    const target = join(dir, 'elsewhere');
    const store = createBlobStore(pathToFileURL(target).href, '/nonexistent-data-dir');
    expect(store.kind).toBe('file');
    const key = blobKey();
    await store.put(key, Buffer.from('x'));
    expect(existsSync(join(target, key))).toBe(true);
  });

  it('uses the right directory for a file: URL whose path needs escaping (a space)', async () => {
    const target = join(dir, 'clinic files');
    const store = createBlobStore(pathToFileURL(target).href, '/nonexistent-data-dir');
    const key = blobKey();
    await store.put(key, Buffer.from('x'));
    expect(existsSync(join(target, key))).toBe(true);
    expect(existsSync(join(dir, 'clinic%20files'))).toBe(false);
  });

  it('refuses a file: URL naming another host rather than ignoring the host', () => {
    expect(() => createBlobStore('file://nas.example/srv/contour', dir)).toThrow();
  });

  it('uses S3 for an s3: URL', () => {
    const store = createBlobStore('s3://contour/prefix?endpoint=http://127.0.0.1:9&region=eu-west-2&forcePathStyle=true', dir);
    expect(store.kind).toBe('s3');
    expect(store).toBeInstanceOf(S3BlobStore);
  });

  it.each(['http://example.test/bucket', 'https://s3.amazonaws.com/contour', 'ftp://host/files', 'gs://bucket/prefix', 'azure://container'])(
    'refuses %s',
    (url) => {
      expect(() => createBlobStore(url, dir)).toThrow(/STORAGE_URL must start with file: or s3:/);
    },
  );

  it('names the setting a refused URL came from', () => {
    expect(() => createBlobStore('ftp://host/checkpoints', dir, 'AUDIT_CHECKPOINT_URL')).toThrow(/AUDIT_CHECKPOINT_URL must start with file: or s3:/);
  });

  it('refuses a STORAGE_URL that is not a URL at all', () => {
    expect(() => createBlobStore('/var/lib/contour/files', dir)).toThrow();
  });
});
