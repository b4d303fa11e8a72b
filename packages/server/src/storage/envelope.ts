/**
 * Envelope encryption for patient files: each patient has a random 256-bit data key, stored only
 * wrapped (AES-256-GCM) by the clinic's master key; each file is sealed with the patient's key.
 * Destroying the wrapped key makes every file of that patient unreadable (crypto-shredding).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const FORMAT_VERSION = 1;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class DecryptionError extends Error {}

/** [version:1][nonce:12][ciphertext][tag:16]; the associated data binds it to one owner and purpose. */
export function seal(key: Buffer, plaintext: Buffer, associatedData: string): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT_VERSION]), nonce, body, cipher.getAuthTag()]);
}

export function open(key: Buffer, sealed: Buffer, associatedData: string): Buffer {
  if (sealed.length < 1 + NONCE_BYTES + TAG_BYTES || sealed[0] !== FORMAT_VERSION) {
    throw new DecryptionError('not a sealed Contour object');
  }
  const nonce = sealed.subarray(1, 1 + NONCE_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  const body = sealed.subarray(1 + NONCE_BYTES, sealed.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw new DecryptionError('authentication failed: the data or its key was altered');
  }
}

export function newDataKey(): Buffer {
  return randomBytes(32);
}

function parseKey(text: string, source: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) throw new Error(`${source} must be 32 bytes, base64-encoded (got ${key.length} bytes)`);
  return key;
}

/**
 * The master key comes from CONTOUR_MASTER_KEY or from `<dataDir>/master.key`, created on first run
 * readable by its owner only. Losing it loses every patient file: the README says to back it up apart
 * from the data.
 */
export function loadOrCreateMasterKey(dataDir: string, fromEnv: string | null): Buffer {
  if (fromEnv) return parseKey(fromEnv, 'CONTOUR_MASTER_KEY');
  const path = join(dataDir, 'master.key');
  if (existsSync(path)) {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) chmodSync(path, 0o600);
    return parseKey(readFileSync(path, 'utf8'), path);
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  // 'wx' fails if another process created it in the meantime rather than overwriting its key.
  writeFileSync(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
