/**
 * Face landmarks on one RGB image: every face's 478 points in image pixels, head pose in Contour's
 * conventions (see @contour/domain photo-protocol) and the expression model's scores.
 */
import type { Human } from '@vladmandic/human';
import { loadHuman } from './human.js';
import { toDetectedFace, type DetectedFace, type RgbImage } from './face-result.js';

export class FaceLandmarker {
  private constructor(private readonly human: Human) {}

  static async load(): Promise<FaceLandmarker> {
    return new FaceLandmarker(await loadHuman());
  }

  get backend(): string {
    return this.human.tf.getBackend();
  }

  async detect(image: RgbImage): Promise<DetectedFace[]> {
    const { tf } = this.human;
    const tensor = tf.tensor(Int32Array.from(image.data), [1, image.height, image.width, 3], 'int32');
    try {
      const result = await this.human.detect(tensor as never);
      return result.face.map((face) => toDetectedFace(face, image.width, image.height));
    } finally {
      tf.dispose(tensor);
    }
  }
}
