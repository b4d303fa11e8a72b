/**
 * Landmarks steady enough to compare two photos to a tenth of a millimetre.
 *
 * The face mesh runs on a fixed 192 px crop of the face, so one crop pixel is 3–4 photo pixels (about 1 mm on
 * a 1350 px portrait), and where the detector happens to place the crop moves every point by a fraction of
 * that. Re-encoding the same photo moved the points 0.11 mm on average, and a change to the lips alone moved
 * points far from the lips by 0.26 mm (docs/validation.md, "Steady landmarks"). So the photo is detected at
 * four sub-crop offsets (whole-pixel shifts spread over about two crop pixels), each with its mirror image
 * (which cancels the model's left/right handedness: on a face made exactly symmetric it places the two brows
 * 3–4 mm apart, docs/validation.md), and the eight sets are mapped back and averaged. Real shape is seen the same
 * way every time and kept; the crop's jitter averages out. Contour's own landmarks (measured-face.ts) start from
 * these.
 */
import { mirrorLandmarks, type HeadPose, type Point3 } from '@contour/domain';
import type { FaceFinder } from './analyze.js';
import type { DetectedFace, RgbImage } from './face-result.js';

/** The photo mirrored left to right. */
export function mirrorImage(image: RgbImage): RgbImage {
  const { width, height, data } = image;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    for (let x = 0; x < width; x++) {
      const from = row + x * 3;
      const to = row + (width - 1 - x) * 3;
      out[to] = data[from] ?? 0;
      out[to + 1] = data[from + 1] ?? 0;
      out[to + 2] = data[from + 2] ?? 0;
    }
  }
  return { width, height, data: out };
}

/** A face found in the mirror image of a `width` px wide photo, mapped back onto the photo: each point to its counterpart. */
export function mirroredBack(landmarks: Point3[], pose: HeadPose, width: number): { landmarks: Point3[]; pose: HeadPose } {
  // In the mirror, yaw and roll change sign and pitch does not.
  return { landmarks: mirrorLandmarks(landmarks, width), pose: { yaw: -pose.yaw, pitch: pose.pitch, roll: -pose.roll } };
}

/** Offsets in mesh-crop pixels (x, y): a small Latin square over two crop pixels. */
const OFFSETS: readonly [number, number][] = [
  [0, 0],
  [1.4, 0.55],
  [0.55, 1.9],
  [1.9, 1.4],
];
/** The mesh model's input size (px). */
const MESH_CROP = 192;

export interface SteadyFace {
  landmarks: Point3[];
  pose: HeadPose;
  /** How many detections were averaged (8 when every offset and mirror found exactly one face). */
  detections: number;
}

/**
 * The steady faces of the last few photos, by the photo's content hash, in memory only. Most of a simulation's time
 * is its eight detections, and a clinician moving the intensity slider, switching variants or toggling zones
 * re-renders the same photo; the landmarks are the same every time (the detection is deterministic).
 */
export class RecentFaces {
  private readonly faces = new Map<string, SteadyFace>();
  private readonly refinedFaces = new Map<string, unknown>();
  constructor(private readonly size = 8) {}

  get(sha256: string): SteadyFace | undefined {
    return this.recall(this.faces, sha256);
  }

  set(sha256: string, face: SteadyFace): void {
    this.keep(this.faces, sha256, face);
  }

  /**
   * What `compute` makes of a photo's landmarks (the lips and the outline found in its pixels: measured-face.ts
   * `refineFace`), made once per photo and landmarks: tracing the outline is most of a re-render's time otherwise.
   * `key` names both, e.g. the photo's content hash and the landmarks'.
   */
  refined<T>(key: string, compute: () => T): T {
    if (this.refinedFaces.has(key)) return this.recall(this.refinedFaces, key) as T;
    const value = compute();
    this.keep(this.refinedFaces, key, value);
    return value;
  }

  /** The entry under `key`, made the most recently used. */
  private recall<T>(entries: Map<string, T>, key: string): T | undefined {
    const value = entries.get(key);
    if (value !== undefined) {
      entries.delete(key);
      entries.set(key, value);
    }
    return value;
  }

  /** Keeps `value` under `key`, dropping the least recently used beyond `size`. */
  private keep<T>(entries: Map<string, T>, key: string, value: T): void {
    entries.set(key, value);
    for (const oldest of entries.keys()) {
      if (entries.size <= this.size) break;
      entries.delete(oldest);
    }
  }
}

/** `image` without its first `dx` columns and `dy` rows: the content moved up and left. */
export function shiftedImage(image: RgbImage, dx: number, dy: number): RgbImage {
  if (dx === 0 && dy === 0) return image;
  const width = image.width - dx, height = image.height - dy;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) data.set(image.data.subarray(((y + dy) * image.width + dx) * 3, ((y + dy) * image.width + dx + width) * 3), y * width * 3);
  return { width, height, data };
}

/**
 * The mean of the landmarks found on `image` at every offset, on the image and its mirror (mapped back); pose
 * averaged the same way (yaw and roll change sign in a mirror). `first` is the plain image's detection when
 * already made. Offsets or mirrors without exactly one face are left out; null without exactly one on the plain image.
 */
export async function steadyLandmarks(image: RgbImage, finder: FaceFinder, first?: Pick<DetectedFace, 'landmarks' | 'pose' | 'box'>): Promise<SteadyFace | null> {
  const found = first ? [first] : await finder.detect(image);
  if (found.length !== 1) return null;
  const plain = found[0] as Pick<DetectedFace, 'landmarks' | 'pose' | 'box'>;
  const cropPx = Math.max(1, plain.box[2] / MESH_CROP);
  const sets: Point3[][] = [];
  const poses: HeadPose[] = [];
  for (const [ox, oy] of OFFSETS) {
    const dx = Math.round(ox * cropPx), dy = Math.round(oy * cropPx);
    const shifted = shiftedImage(image, dx, dy);
    const faces = dx === 0 && dy === 0 ? [plain] : await finder.detect(shifted);
    const mirrored = await finder.detect(mirrorImage(shifted));
    const back = (points: Point3[]): Point3[] => points.map((p) => [p[0] + dx, p[1] + dy, p[2]]);
    if (faces.length === 1) {
      sets.push(back((faces[0] as DetectedFace).landmarks));
      poses.push((faces[0] as DetectedFace).pose);
    }
    if (mirrored.length === 1) {
      const twin = mirroredBack((mirrored[0] as DetectedFace).landmarks, (mirrored[0] as DetectedFace).pose, shifted.width);
      sets.push(back(twin.landmarks));
      poses.push(twin.pose);
    }
  }
  const n = sets.length;
  const landmarks = plain.landmarks.map((_, i) => {
    const sum: Point3 = [0, 0, 0];
    for (const set of sets) for (let c = 0; c < 3; c++) sum[c] = (sum[c] as number) + ((set[i] as Point3)[c] as number);
    return sum.map((v) => v / n) as Point3;
  });
  const mean = (key: keyof HeadPose): number => poses.reduce((s, p) => s + p[key], 0) / n;
  return { landmarks, pose: { yaw: mean('yaw'), pitch: mean('pitch'), roll: mean('roll') }, detections: n };
}
