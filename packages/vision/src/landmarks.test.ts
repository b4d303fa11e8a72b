import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeImage } from './analyze.js';
import { decodePhoto } from './image.js';
import { FaceLandmarker } from './landmarks.js';
import { LandmarkPool } from './landmark-pool.js';
import { MESH } from './mesh.js';
import { fixture } from './test-support.js';

describe('face landmarks (offline, wasm)', () => {
  let landmarker: FaceLandmarker;
  beforeAll(async () => {
    landmarker = await FaceLandmarker.load();
  });

  it('runs on the wasm backend and refuses any network access', async () => {
    expect(landmarker.backend).toBe('wasm');
    await expect(fetch('http://127.0.0.1:9/anything')).rejects.toThrow(/never use the network/);
    await expect(fetch('file:///etc/passwd')).rejects.toThrow(/never use the network/);
  });

  it('finds one face with 478 points, the pupils where the template puts them, and a level pose', async () => {
    const image = await decodePhoto(await fixture('faces/london-001-neutral.jpg'));
    const faces = await landmarker.detect(image);
    expect(faces).toHaveLength(1);
    const face = faces[0]!;
    expect(face.landmarks).toHaveLength(478);
    for (const [x, y] of face.landmarks) {
      expect(x).toBeGreaterThan(0);
      expect(y).toBeGreaterThan(0);
      expect(x).toBeLessThan(image.width);
      expect(y).toBeLessThan(image.height);
    }
    // Template pupils of 001_03 (1350 px) scaled to the 1000 px fixture.
    const scale = 1000 / 1350;
    const right = [565 * scale, 632 * scale];
    const left = [778 * scale, 624 * scale];
    const ipd = Math.hypot(left[0]! - right[0]!, left[1]! - right[1]!);
    const r = face.landmarks[MESH.rightIrisCentre]!;
    const l = face.landmarks[MESH.leftIrisCentre]!;
    expect(Math.hypot(r[0] - right[0]!, r[1] - right[1]!) / ipd).toBeLessThan(0.05);
    expect(Math.hypot(l[0] - left[0]!, l[1] - left[1]!) / ipd).toBeLessThan(0.05);
    expect(Math.abs(face.pose.yaw)).toBeLessThan(6);
    expect(Math.abs(face.pose.roll)).toBeLessThan(6);
    expect(face.expression.scores.neutral).toBeGreaterThan(0.3);
  });

  it('mirrors the pose when the photo is flipped, and measures an in-plane rotation as roll', async () => {
    const bytes = await fixture('faces/london-002-neutral.jpg');
    const [original] = await landmarker.detect(await decodePhoto(bytes));
    const [flipped] = await landmarker.detect(await decodePhoto(await sharp(bytes).flop().jpeg().toBuffer()));
    // The mesh is not perfectly mirror-symmetric: within 1.5° of the mirrored pose.
    expect(Math.abs(flipped!.pose.roll + original!.pose.roll)).toBeLessThan(1.5);
    expect(Math.abs(flipped!.pose.yaw + original!.pose.yaw)).toBeLessThan(1.5);
    // sharp rotates clockwise: the patient's left eye (image right) goes down, a tilt towards their left shoulder.
    const [tilted] = await landmarker.detect(await decodePhoto(await sharp(bytes).rotate(12, { background: '#cccccc' }).jpeg().toBuffer()));
    expect(tilted!.pose.roll - original!.pose.roll).toBeGreaterThan(9);
    expect(tilted!.pose.roll - original!.pose.roll).toBeLessThan(15);
  });
});

describe('landmark worker pool', () => {
  let pool: LandmarkPool;
  beforeAll(async () => {
    pool = await LandmarkPool.start(2);
  });
  afterAll(async () => pool.close());

  it('gives the same landmarks as the in-thread model, for concurrent requests', async () => {
    const images = await Promise.all(['faces/london-001-neutral.jpg', 'faces/london-002-neutral.jpg', 'faces/london-001-smiling.jpg'].map(async (f) => decodePhoto(await fixture(f))));
    const results = await Promise.all(images.map((image) => pool.detect(image)));
    expect(results.map((faces) => faces.length)).toEqual([1, 1, 1]);
    const direct = await (await FaceLandmarker.load()).detect(images[0]!);
    expect(results[0]![0]!.landmarks[MESH.noseTip]).toEqual(direct[0]!.landmarks[MESH.noseTip]);
    // The caller's pixels are untouched by the transfer to the worker.
    expect(images[0]!.data.length).toBe(images[0]!.width * images[0]!.height * 3);
  });

  it('runs whole analyses in the workers with the same verdict as in-thread analysis', async () => {
    const image = await decodePhoto(await fixture('faces/london-001-smiling.jpg'));
    const inWorker = await pool.analyze(image, 'frontal');
    const inThread = await analyzeImage(image, 'frontal', await FaceLandmarker.load());
    expect(inWorker.quality).toEqual(inThread.quality);
    expect(inWorker.quality.checks.find((c) => c.id === 'expression')?.passed).toBe(false);
    expect((await pool.analyze(image, 'smile')).quality.checks.find((c) => c.id === 'expression')?.passed).toBe(true);
  });

  it('refuses work after closing', async () => {
    const closing = await LandmarkPool.start(1);
    await closing.close();
    await expect(closing.detect({ data: new Uint8Array(3), width: 1, height: 1 })).rejects.toThrow(/closed/);
  });
});
