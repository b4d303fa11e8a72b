/**
 * A worker thread that owns one face model instance. The pool sends RGB pixels (transferred, not copied)
 * and gets landmarks back; the model's fetch override and memory stay inside this thread.
 */
import { parentPort } from 'node:worker_threads';
import type { RgbImage } from './face-result.js';
import { FaceLandmarker } from './landmarks.js';

export type WorkerRequest = { id: number; image: RgbImage };
export type WorkerReply =
  | { type: 'ready'; backend: string }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; faces: Awaited<ReturnType<FaceLandmarker['detect']>> }
  | { type: 'error'; id: number; error: string };

const port = parentPort;
if (!port) throw new Error('landmark-worker must run in a worker thread');
const reply = (message: WorkerReply): void => port.postMessage(message);

try {
  const landmarker = await FaceLandmarker.load();
  port.on('message', (request: WorkerRequest) => {
    landmarker.detect(request.image).then(
      (faces) => reply({ type: 'result', id: request.id, faces }),
      (error: unknown) => reply({ type: 'error', id: request.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  reply({ type: 'ready', backend: landmarker.backend });
} catch (error) {
  reply({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
}
