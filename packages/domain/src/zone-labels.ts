/** Facial zones in words: as a clinician names them, and what each means to a patient. */
import type { ZoneId } from './face-analysis.js';

/** Facial zones as a clinician names them. */
export const ZONE_LABELS: Record<ZoneId, string> = {
  forehead: 'Forehead',
  glabella: 'Glabella',
  temple: 'Temple',
  brow: 'Brow',
  crows_feet: "Crow's feet",
  tear_trough: 'Tear trough',
  cheek: 'Cheek',
  nasolabial: 'Nasolabial fold',
  nose: 'Nose',
  upper_lip: 'Upper lip',
  lower_lip: 'Lower lip',
  perioral: 'Around the mouth',
  marionette: 'Marionette lines',
  chin: 'Chin',
  jawline: 'Jawline',
  neck: 'Neck',
};

/** What each zone's finding means, in words a patient understands. */
export const ZONE_EXPLANATIONS: Record<ZoneId, string> = {
  forehead: 'Horizontal lines across the forehead.',
  glabella: 'Lines between the brows, the "frown lines".',
  temple: 'Hollowness at the temples, beside the eyes and above the cheekbones.',
  brow: 'The position and shape of the eyebrows.',
  crows_feet: 'Fine lines fanning out from the outer corners of the eyes.',
  tear_trough: 'Hollowness under the eyes, which can look like a shadow or tiredness.',
  cheek: 'The smoothness of the skin on the cheeks.',
  nasolabial: 'The folds running from the sides of the nose to the corners of the mouth.',
  nose: 'The shape and width of the nose.',
  upper_lip: 'The fullness and shape of the upper lip.',
  lower_lip: 'The fullness and shape of the lower lip.',
  perioral: 'Fine vertical lines around the lips, sometimes called "smoker\'s lines".',
  marionette: 'Lines running down from the corners of the mouth towards the chin.',
  chin: 'The shape and projection of the chin.',
  jawline: 'The definition of the jawline from the ear to the chin.',
  neck: 'Horizontal lines across the neck.',
};

