/**
 * A worker thread that owns one face model instance. The pool sends RGB pixels (transferred, not copied)
 * and gets back landmarks, or a whole photo analysis (landmarks, pixel measurements and the protocol's
 * checks), so none of that work runs on the server's event loop. The model's fetch override and memory
 * stay inside this thread.
 */
import { parentPort } from 'node:worker_threads';
import type { PhotoProtocol } from '@contour/domain';
import { analyzeImage, type PhotoAnalysis } from './analyze.js';
import type { DetectedFace, RgbImage } from './face-result.js';
import { FaceLandmarker } from './landmarks.js';

export type WorkerRequest =
  | { id: number; kind: 'detect'; image: RgbImage }
  | { id: number; kind: 'analyze'; image: RgbImage; viewId: string; protocol: PhotoProtocol };
export type WorkerReply =
  | { type: 'ready'; backend: string }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; result: DetectedFace[] | PhotoAnalysis }
  | { type: 'error'; id: number; error: string };

const port = parentPort;
if (!port) throw new Error('landmark-worker must run in a worker thread');
const reply = (message: WorkerReply): void => port.postMessage(message);

try {
  const landmarker = await FaceLandmarker.load();
  port.on('message', (request: WorkerRequest) => {
    const work: Promise<DetectedFace[] | PhotoAnalysis> =
      request.kind === 'detect' ? landmarker.detect(request.image) : analyzeImage(request.image, request.viewId, landmarker, request.protocol);
    work.then(
      (result) => reply({ type: 'result', id: request.id, result }),
      (error: unknown) => reply({ type: 'error', id: request.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  reply({ type: 'ready', backend: landmarker.backend });
} catch (error) {
  reply({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
}
