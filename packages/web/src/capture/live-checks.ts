/**
 * Guided capture's eyes: face landmarks on live camera frames, measured and judged by the very modules
 * the server runs on stored photos (packages/vision's toDetectedFace and measurePhoto, the domain's
 * evaluatePhoto), so what the photographer is told live is what the stored photo will be told.
 *
 * Human and tfjs are not bundled: the server serves Human's browser build under /vendor and its models
 * under /models, and the page loads them at run time, only when guided capture is opened.
 */
import { evaluatePhoto, type PhotoMeasurements, type QualityResult, type QualityThresholds, type ViewSpec } from '@contour/domain/photo-protocol';
import { toDetectedFace, type DetectedFace, type HumanFace, type RgbImage } from '@contour/vision/face-result';
import { humanConfig } from '@contour/vision/human-config';
import { measurePhoto } from '@contour/vision/measure';

/** The slice of Human's browser API used here. */
interface HumanResult {
  face: HumanFace[];
  error?: string | null;
}

export interface Landmarker {
  detect(input: HTMLCanvasElement): Promise<HumanResult>;
}

interface HumanInstance extends Landmarker {
  load(): Promise<void>;
  tf: { ready(): Promise<void>; getBackend(): string };
}

interface HumanModule {
  Human: new (config: Record<string, unknown>) => HumanInstance;
}

const HUMAN_URL = '/vendor/human.esm.js';

/** The server's Human configuration (packages/vision/src/human-config.ts) with the browser's asset paths. */
const LIVE_CONFIG = humanConfig({ modelBasePath: '/models/', wasmPath: '/vendor/tfjs-wasm/' });

let loading: Promise<Landmarker> | null = null;

async function loadHuman(): Promise<Landmarker> {
  // A path the bundler must not follow: Human arrives from the server at run time.
  const url: string = HUMAN_URL;
  const module = (await import(/* @vite-ignore */ url)) as HumanModule;
  const human = new module.Human(LIVE_CONFIG);
  await human.load();
  await human.tf.ready();
  const backend = human.tf.getBackend();
  if (backend !== 'wasm') throw new Error(`the face models need WebAssembly, but the "${backend}" backend started`);
  return human;
}

/** One Human per page load, shared by every guided capture; a failed load may be retried. */
export function loadLandmarker(): Promise<Landmarker> {
  if (!loading) {
    loading = loadHuman();
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}

export interface LiveVerdict {
  quality: QualityResult;
  measurements: PhotoMeasurements;
  faces: DetectedFace[];
  width: number;
  height: number;
}

let rgbBuffer: Uint8Array | null = null;

/** The canvas's pixels as interleaved RGB (what measurePhoto reads); the buffer is reused between frames. */
function rgbPixels(context: CanvasRenderingContext2D, width: number, height: number): RgbImage {
  const rgba = context.getImageData(0, 0, width, height).data;
  const size = width * height * 3;
  if (!rgbBuffer || rgbBuffer.length !== size) rgbBuffer = new Uint8Array(size);
  const rgb = rgbBuffer;
  for (let source = 0, target = 0; target < size; source += 4, target += 3) {
    rgb[target] = rgba[source] as number;
    rgb[target + 1] = rgba[source + 1] as number;
    rgb[target + 2] = rgba[source + 2] as number;
  }
  return { data: rgb, width, height };
}

/**
 * Judges the frame drawn on `canvas`: landmarks, then the same measurements and checks as the server.
 * The checks that strictly need a full-resolution still (resolution, sharpness) are judged on the video
 * frame with the protocol's own thresholds; the frame is what automatic capture uploads.
 */
export async function judgeFrame(
  landmarker: Landmarker,
  canvas: HTMLCanvasElement,
  context: CanvasRenderingContext2D,
  view: ViewSpec,
  thresholds: QualityThresholds,
): Promise<LiveVerdict> {
  const { width, height } = canvas;
  const result = await landmarker.detect(canvas);
  if (result.error) throw new Error(result.error);
  const faces = result.face.map((face) => toDetectedFace(face, width, height));
  const measurements = measurePhoto(rgbPixels(context, width, height), faces);
  return { quality: evaluatePhoto(view, thresholds, measurements), measurements, faces, width, height };
}

/**
 * The one thing to tell the photographer now: the first failing check, except a camera that is simply
 * below the protocol's resolution (said once, elsewhere), which nobody can fix by moving.
 */
export function firstInstruction(quality: QualityResult, cameraTooSmall: boolean): { id: string; message: string } | null {
  const failing = quality.checks.filter((check) => !check.passed);
  // With a camera below the protocol's size the resolution check only ever says "the image is too small".
  const actionable = failing.find((check) => !(cameraTooSmall && check.id === 'resolution'));
  const chosen = actionable ?? failing[0];
  return chosen ? { id: chosen.id, message: chosen.message } : null;
}
