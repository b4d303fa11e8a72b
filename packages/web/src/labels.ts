/** Words the clinic sees for the domain's enumerations. */
import type { Purpose } from '@contour/domain/consent';
import type { AcquisitionChannel, MedicalHistory, Sex } from '@contour/domain/patient';
import type { CheckId } from '@contour/domain/photo-protocol';
import type { ConsistencyCheck, PhotoStatus, Side, ZoneId } from './types';

export const CHANNEL_LABELS: Record<AcquisitionChannel, string> = {
  referral: 'Referred by someone',
  returning: 'Returning patient',
  walk_in: 'Walked in',
  website: 'Clinic website',
  google_search: 'Google search',
  google_ads: 'Google ad',
  instagram: 'Instagram',
  facebook: 'Facebook',
  tiktok: 'TikTok',
  email: 'Email',
  event: 'Event',
  other: 'Other',
};

export const SEX_LABELS: Record<Sex, string> = {
  female: 'Female',
  male: 'Male',
  intersex: 'Intersex',
  not_stated: 'Prefer not to say',
};

/** Each purpose asked the way the front desk would ask it. */
export const PURPOSE_QUESTIONS: Record<Purpose, string> = {
  capture_photos: 'May we capture photos?',
  analyse_photos: 'May we analyse photos?',
  simulate_outcome: 'May we simulate the outcome?',
  treat: 'May we treat?',
  use_images_in_marketing: 'May we use images in marketing?',
  send_marketing_messages: 'May we send marketing messages?',
};

type YesNoItem = Exclude<keyof MedicalHistory, 'allergies' | 'priorPermanentFiller' | 'priorTreatments' | 'medications'>;
type AllergyItem = Exclude<keyof MedicalHistory['allergies'], 'other'>;

export const ALLERGY_LABELS: Record<AllergyItem, string> = {
  lidocaine: 'Lidocaine (local anaesthetic)',
  hyaluronicAcid: 'Hyaluronic acid (HA fillers)',
  albumin: 'Albumin (in toxin products)',
};

export const SCREENING_LABELS: Record<YesNoItem, string> = {
  pregnant: 'Pregnant',
  breastfeeding: 'Breastfeeding',
  neuromuscularDisorder: 'Neuromuscular disorder (e.g. myasthenia gravis)',
  anticoagulants: 'Takes anticoagulants or blood thinners',
  autoimmuneDisease: 'Autoimmune disease',
  activeSkinInfection: 'Active skin infection in the treatment area',
  keloidHistory: 'History of keloid or hypertrophic scars',
};

export const HISTORY_TEXT_LABELS: Record<'priorPermanentFiller' | 'priorTreatments' | 'medications', string> = {
  priorPermanentFiller: 'Permanent filler in the past (where, what)',
  priorTreatments: 'Previous aesthetic treatments',
  medications: 'Current medications',
};

/** Each quality check named the way a photographer would name it. */
export const CHECK_LABELS: Record<CheckId, string> = {
  one_face: 'One face',
  resolution: 'Resolution',
  face_size: 'Face size',
  centring: 'Centring',
  yaw: 'Head turn',
  pitch: 'Chin height',
  roll: 'Head tilt',
  sharpness: 'Sharpness',
  exposure: 'Exposure',
  clipping: 'Clipping',
  lighting_balance: 'Even lighting',
  colour_cast: 'Colour balance',
  background: 'Plain background',
  eyes_open: 'Eyes open',
  expression: 'Expression',
};

export const CONSISTENCY_LABELS: Record<ConsistencyCheck['id'], string> = {
  scale: 'Same distance',
  framing: 'Same framing',
  pose: 'Same head position',
  lighting: 'Same lighting',
};

export const PHOTO_STATUS_LABELS: Record<PhotoStatus, string> = {
  stored: 'Stored',
  queued: 'Waiting for analysis',
  analysing: 'Analysing',
  analysed: 'Analysed',
  failed: 'Analysis failed',
  not_analysed: 'Not analysed',
};

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

/** Sides are the patient's own: their right is on the viewer's left in a frontal photo. */
export const SIDE_LABELS: Record<Side, string> = {
  right: "Patient's right",
  left: "Patient's left",
  centre: 'Centre',
};

/** The 0–4 steps every zone scale shares. */
export const GRADE_LABELS = ['None', 'Mild', 'Moderate', 'Severe', 'Very severe'] as const;

export function keysOf<T extends object>(record: T): (keyof T)[] {
  return Object.keys(record) as (keyof T)[];
}
