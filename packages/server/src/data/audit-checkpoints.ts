/**
 * Each audit chain's head, kept outside the database: in the blob store (a directory under `./data`, or the S3
 * bucket), beside the sealed patient files. Re-hashing a chain finds an edited, reordered or missing entry, but
 * deleting its newest entries leaves a shorter chain that still holds; the checkpoint remembers how far it reached.
 * Someone who can change the database (a database administrator, a stolen database password) cannot also move the
 * checkpoint back: it is signed with a key derived from the master key, which never enters the database.
 */
import { createHash, hkdfSync } from 'node:crypto';
import { checkpointGenuine, signCheckpoint, type AuditCheckpoint } from '@contour/domain';
import type { BlobStore } from '../storage/blob-store.js';

/** The blob store's keys are opaque ids: checkpoints live under this one, each chain's under a hash of its name. */
const CHECKPOINTS = 'a0d17c4e-c4ec-4000-8000-000000000000';

export class AuditCheckpoints {
  private readonly key: Buffer;

  constructor(
    private readonly blobs: BlobStore,
    masterKey: Buffer,
  ) {
    this.key = Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'contour audit checkpoint', 32));
  }

  private keyOf(chain: string): string {
    return `${CHECKPOINTS}/${createHash('sha256').update(chain).digest('hex').slice(0, 32)}`;
  }

  /** The chain's last checkpoint; 'not genuine' when what is stored is not one signed with this key (altered or damaged). */
  async latest(chain: string): Promise<AuditCheckpoint | 'not genuine' | null> {
    const stored = await this.blobs.get(this.keyOf(chain));
    if (!stored) return null;
    let value: unknown;
    try {
      value = JSON.parse(stored.toString('utf8'));
    } catch {
      return 'not genuine';
    }
    return checkpointGenuine(this.key, value, chain) ? value : 'not genuine';
  }

  async record(head: { chain: string; seq: number; hash: string }, at: Date = new Date()): Promise<AuditCheckpoint> {
    const checkpoint = signCheckpoint(this.key, { ...head, recordedAt: at.toISOString() });
    await this.blobs.put(this.keyOf(head.chain), Buffer.from(JSON.stringify(checkpoint)));
    return checkpoint;
  }
}
