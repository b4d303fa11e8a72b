/**
 * A worker thread that owns one face model instance. The pool sends RGB pixels (transferred, not copied)
 * and gets back landmarks, or a whole photo analysis (landmarks, pixel measurements and the protocol's
 * checks; with `analyzeFace`, also a frontal photo's facial geometry and zone findings), or a rendered outcome
 * simulation, so none of that work runs on the server's event loop. The model's fetch override and memory
 * stay inside this thread.
 */
import { parentPort } from 'node:worker_threads';
import { severityEstimator, type PhotoProtocol } from '@contour/domain';
import { analyzeImage, type PhotoAnalysis } from './analyze.js';
import type { DetectedFace, RgbImage } from './face-result.js';
import { FACIAL_ANALYSIS_VIEWS, facialAnalysis, type FaceAnalysisResult } from './facial-analysis.js';
import { FaceLandmarker } from './landmarks.js';
import { simulate, type SimulateOptions, type SimulationPlan, type SimulationResult } from './simulate/simulate.js';
import { RecentFaces } from './steady-landmarks.js';

/** Simulation options that can cross the thread boundary (the worker's own model finds the face unless `face` is given). */
export type WorkerSimulateOptions = Omit<SimulateOptions, 'finder' | 'recentFaces'>;

/** The last photos simulated in this thread: re-rendering one (another variant, intensity or zone) skips its detections. */
const recentFaces = new RecentFaces(8);

/** A simulation as the pool returns it: without the per-pixel maps (several MB that only the checks use). */
export type PooledSimulation = Omit<SimulationResult, 'treated' | 'masks'> & { masks: { name: string; rect: SimulationResult['masks'][number]['rect'] }[] };

async function simulateLean(bytes: Uint8Array, plan: SimulationPlan, options: WorkerSimulateOptions, finder: FaceLandmarker): Promise<PooledSimulation> {
  const { treated: _treated, masks, ...rest } = await simulate(bytes, plan, { ...options, finder, recentFaces });
  return { ...rest, masks: masks.map(({ name, rect }) => ({ name, rect })) };
}

export type WorkerRequest =
  | { id: number; kind: 'detect'; image: RgbImage }
  | { id: number; kind: 'analyze'; image: RgbImage; viewId: string; protocol: PhotoProtocol }
  | { id: number; kind: 'analyzeFace'; image: RgbImage; viewId: string; protocol: PhotoProtocol }
  | { id: number; kind: 'simulate'; bytes: Uint8Array; plan: SimulationPlan; options: WorkerSimulateOptions };
export type WorkerResult = DetectedFace[] | PhotoAnalysis | FaceAnalysisResult | PooledSimulation;
export type WorkerReply =
  | { type: 'ready'; backend: string }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; result: WorkerResult }
  | { type: 'error'; id: number; error: string; refused?: boolean };

const port = parentPort;
if (!port) throw new Error('landmark-worker must run in a worker thread');
const reply = (message: WorkerReply): void => port.postMessage(message);

/** The photo analysis and, for a frontal photo, its facial findings (geometry and zone findings), all in this thread. */
async function analyzeFace(landmarker: FaceLandmarker, image: RgbImage, viewId: string, protocol: PhotoProtocol): Promise<FaceAnalysisResult> {
  const analysis = await analyzeImage(image, viewId, landmarker, protocol);
  if (!FACIAL_ANALYSIS_VIEWS.includes(viewId)) return { analysis, facial: null, steadyFace: null };
  const { findings, steadyFace } = await facialAnalysis(analysis, image, landmarker, severityEstimator());
  return { analysis, facial: findings, steadyFace };
}

try {
  const landmarker = await FaceLandmarker.load();
  port.on('message', (request: WorkerRequest) => {
    const work: Promise<WorkerResult> =
      request.kind === 'detect'
        ? landmarker.detect(request.image)
        : request.kind === 'analyze'
          ? analyzeImage(request.image, request.viewId, landmarker, request.protocol)
          : request.kind === 'analyzeFace'
            ? analyzeFace(landmarker, request.image, request.viewId, request.protocol)
            : simulateLean(request.bytes, request.plan, request.options, landmarker);
    work.then(
      (result) => reply({ type: 'result', id: request.id, result }),
      (error: unknown) =>
        reply({ type: 'error', id: request.id, error: error instanceof Error ? error.message : String(error), refused: error instanceof Error && error.name === 'SimulationRefused' }),
    );
  });
  reply({ type: 'ready', backend: landmarker.backend });
} catch (error) {
  reply({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
}
