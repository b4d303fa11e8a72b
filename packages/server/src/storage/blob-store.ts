/**
 * Where sealed patient files live. Only ciphertext ever reaches a blob store, so an S3 provider or a
 * copied disk sees nothing readable. Keys are opaque ids (organisation/patient/file uuids), never names.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';

export interface BlobStore {
  readonly kind: 'file' | 's3';
  put(key: string, data: Buffer): Promise<void>;
  /** Null when the blob does not exist. */
  get(key: string): Promise<Buffer | null>;
  delete(key: string): Promise<void>;
}

const SAFE_KEY = /^[0-9a-f-]+(\/[0-9a-f-]+)*$/;

function assertSafeKey(key: string): void {
  if (!SAFE_KEY.test(key)) throw new Error(`unsafe blob key: ${key}`);
}

export class FileBlobStore implements BlobStore {
  readonly kind = 'file';
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(key: string): string {
    assertSafeKey(key);
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep)) throw new Error('blob key escapes the store');
    return path;
  }

  async put(key: string, data: Buffer): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    // Write then rename, so a crash never leaves half a file under the real name.
    const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temporary, data, { mode: 0o600 });
    await rename(temporary, path);
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}

/**
 * `s3://bucket/optional/prefix?endpoint=http://127.0.0.1:9000&region=eu-west-2&forcePathStyle=true`.
 * Credentials come from the usual AWS_* environment variables.
 */
export class S3BlobStore implements BlobStore {
  readonly kind = 's3';
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(url: URL) {
    this.bucket = url.hostname;
    this.prefix = url.pathname.replace(/^\/+|\/+$/g, '');
    const endpoint = url.searchParams.get('endpoint');
    this.client = new S3Client({
      region: url.searchParams.get('region') ?? process.env.AWS_REGION ?? 'us-east-1',
      ...(endpoint ? { endpoint } : {}),
      forcePathStyle: url.searchParams.get('forcePathStyle') === 'true',
    });
  }

  private objectKey(key: string): string {
    assertSafeKey(key);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }

  async put(key: string, data: Buffer): Promise<void> {
    await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key), Body: data }));
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return result.Body ? Buffer.from(await result.Body.transformToByteArray()) : null;
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }
}

/** The store `storageUrl` names (`setting`: the variable it came from, for the error); null: `<dataDir>/files`. */
export function createBlobStore(storageUrl: string | null, dataDir: string, setting = 'STORAGE_URL'): BlobStore {
  if (!storageUrl || storageUrl.startsWith('file:')) {
    // fileURLToPath, not .pathname: a path with a space or other escaped character must not become "%20".
    const root = storageUrl ? fileURLToPath(storageUrl) : join(dataDir, 'files');
    return new FileBlobStore(root);
  }
  const url = new URL(storageUrl);
  if (url.protocol === 's3:') return new S3BlobStore(url);
  throw new Error(`${setting} must start with file: or s3:, got ${url.protocol}`);
}

/** Where the audit checkpoints are kept: AUDIT_CHECKPOINT_URL's store when set, else `files` (the patient files' store). */
export function checkpointStore(config: Pick<Config, 'auditCheckpointUrl' | 'dataDir'>, files: BlobStore): BlobStore {
  return config.auditCheckpointUrl ? createBlobStore(config.auditCheckpointUrl, config.dataDir, 'AUDIT_CHECKPOINT_URL') : files;
}
