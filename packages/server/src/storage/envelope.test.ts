import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixture } from '../test/harness.js';
import { DecryptionError, loadOrCreateMasterKey, newDataKey, open, seal } from './envelope.js';

const AD = 'patient-file:org-1:patient-1:file-1';
const HEADER = 1 + 12; // version + nonce
const TAG = 16;

let jpeg: Buffer;
beforeAll(async () => {
  jpeg = await fixture('faces/london-001-neutral.jpg');
});

const flip = (buffer: Buffer, index: number, mask = 0x01): Buffer => {
  const copy = Buffer.from(buffer);
  copy[index] = copy[index]! ^ mask;
  return copy;
};

describe('seal / open', () => {
  it('round-trips a real JPEG exactly', () => {
    const key = newDataKey();
    const sealed = seal(key, jpeg, AD);
    expect(sealed.length).toBe(jpeg.length + HEADER + TAG);
    expect(sealed[0]).toBe(1);
    expect(open(key, sealed, AD).equals(jpeg)).toBe(true);
  });

  it('hides the plaintext: no 32-byte run of the JPEG appears in the sealed bytes', () => {
    const sealed = seal(newDataKey(), jpeg, AD);
    for (const offset of [0, 1000, Math.floor(jpeg.length / 2), jpeg.length - 32]) {
      expect(sealed.includes(jpeg.subarray(offset, offset + 32)), `offset ${offset}`).toBe(false);
    }
  });

  it('uses a fresh nonce each time: the same file sealed twice differs', () => {
    const key = newDataKey();
    const a = seal(key, jpeg, AD);
    const b = seal(key, jpeg, AD);
    expect(a.subarray(1, HEADER).equals(b.subarray(1, HEADER))).toBe(false);
    expect(a.equals(b)).toBe(false);
    expect(open(key, a, AD).equals(open(key, b, AD))).toBe(true);
  });

  it('round-trips an empty plaintext', () => {
    const key = newDataKey();
    const sealed = seal(key, Buffer.alloc(0), AD);
    expect(sealed.length).toBe(HEADER + TAG);
    expect(open(key, sealed, AD).length).toBe(0);
  });

  it('makes random 32-byte data keys', () => {
    const a = newDataKey();
    const b = newDataKey();
    expect(a.length).toBe(32);
    expect(a.equals(b)).toBe(false);
  });

  describe('refuses anything altered, with DecryptionError', () => {
    const key = randomBytes(32);
    let sealed: Buffer;
    beforeAll(() => {
      sealed = seal(key, jpeg, AD);
    });

    it('the wrong key', () => {
      expect(() => open(randomBytes(32), sealed, AD)).toThrow(DecryptionError);
      expect(() => open(flip(key, 31), sealed, AD)).toThrow(DecryptionError);
    });

    it('the wrong associated data (another patient, file or purpose)', () => {
      for (const other of ['patient-file:org-1:patient-2:file-1', 'patient-file:org-1:patient-1:file-2', 'patient-key:org-1:patient-1', '', `${AD} `]) {
        expect(() => open(key, sealed, other), other).toThrow(DecryptionError);
      }
    });

    it('a flipped bit in the nonce', () => {
      for (const index of [1, 6, HEADER - 1]) expect(() => open(key, flip(sealed, index), AD), `byte ${index}`).toThrow(DecryptionError);
    });

    it('a flipped bit in the body', () => {
      for (const index of [HEADER, HEADER + 500, Math.floor(sealed.length / 2), sealed.length - TAG - 1]) {
        expect(() => open(key, flip(sealed, index, 0x80), AD), `byte ${index}`).toThrow(DecryptionError);
      }
    });

    it('a flipped bit in the tag', () => {
      for (const index of [sealed.length - TAG, sealed.length - 1]) {
        expect(() => open(key, flip(sealed, index), AD), `byte ${index}`).toThrow(DecryptionError);
      }
    });

    it('an unknown format version', () => {
      expect(() => open(key, flip(sealed, 0, 0x02), AD)).toThrow(DecryptionError);
    });

    it('truncated input, at every interesting length', () => {
      for (const length of [0, 1, HEADER, HEADER + TAG - 1, HEADER + TAG, sealed.length - 1, sealed.length - TAG]) {
        expect(() => open(key, sealed.subarray(0, length), AD), `length ${length}`).toThrow(DecryptionError);
      }
    });

    it('extra bytes appended', () => {
      expect(() => open(key, Buffer.concat([sealed, Buffer.from([0])]), AD)).toThrow(DecryptionError);
    });

    it('and still opens the untouched original', () => {
      expect(open(key, sealed, AD).equals(jpeg)).toBe(true);
    });
  });
});

describe('loadOrCreateMasterKey', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'contour-envelope-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates master.key, readable by its owner only, and reuses it on the next call', () => {
    const key = loadOrCreateMasterKey(dir, null);
    expect(key.length).toBe(32);
    const path = join(dir, 'master.key');
    expect(existsSync(path)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64').equals(key)).toBe(true);
    const again = loadOrCreateMasterKey(dir, null);
    expect(again.equals(key)).toBe(true);
    // A sealed object survives a restart (the second load).
    const sealed = seal(key, Buffer.from('wrapped data key'), 'patient-key:o:p');
    expect(open(again, sealed, 'patient-key:o:p').toString()).toBe('wrapped data key');
  });

  it('creates the data directory when it does not exist yet', () => {
    const nested = join(dir, 'a', 'b');
    const key = loadOrCreateMasterKey(nested, null);
    expect(statSync(join(nested, 'master.key')).mode & 0o777).toBe(0o600);
    expect(loadOrCreateMasterKey(nested, null).equals(key)).toBe(true);
  });

  it('gives each new data directory its own key', () => {
    const other = mkdtempSync(join(tmpdir(), 'contour-envelope-'));
    try {
      expect(loadOrCreateMasterKey(dir, null).equals(loadOrCreateMasterKey(other, null))).toBe(false);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('tightens a key file that others can read back to 0600', () => {
    const key = loadOrCreateMasterKey(dir, null);
    const path = join(dir, 'master.key');
    chmodSync(path, 0o644);
    expect(loadOrCreateMasterKey(dir, null).equals(key)).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a damaged key file rather than making a new key', () => {
    const path = join(dir, 'master.key');
    writeFileSync(path, 'c2hvcnQ=\n', { mode: 0o600 });
    expect(() => loadOrCreateMasterKey(dir, null)).toThrow(/32 bytes/);
    expect(readFileSync(path, 'utf8')).toBe('c2hvcnQ=\n');
  });

  it('accepts a valid base64 32-byte CONTOUR_MASTER_KEY and writes no file', () => {
    const key = randomBytes(32);
    expect(loadOrCreateMasterKey(dir, key.toString('base64')).equals(key)).toBe(true);
    expect(loadOrCreateMasterKey(dir, ` ${key.toString('base64')}\n`).equals(key)).toBe(true);
    expect(existsSync(join(dir, 'master.key'))).toBe(false);
  });

  it('prefers CONTOUR_MASTER_KEY over an existing key file', () => {
    const fromFile = loadOrCreateMasterKey(dir, null);
    const fromEnv = randomBytes(32);
    expect(loadOrCreateMasterKey(dir, fromEnv.toString('base64')).equals(fromEnv)).toBe(true);
    expect(fromEnv.equals(fromFile)).toBe(false);
  });

  it.each([
    ['too short', randomBytes(16).toString('base64')],
    ['31 bytes', randomBytes(31).toString('base64')],
    ['33 bytes', randomBytes(33).toString('base64')],
    ['hex instead of base64', randomBytes(32).toString('hex')],
    ['a passphrase', 'correct horse battery staple'],
    ['not base64 at all', '!!!!'],
  ])('refuses a malformed CONTOUR_MASTER_KEY (%s) and writes no file', (_name, value) => {
    expect(() => loadOrCreateMasterKey(dir, value)).toThrow(/CONTOUR_MASTER_KEY must be 32 bytes/);
    expect(existsSync(join(dir, 'master.key'))).toBe(false);
  });
});
