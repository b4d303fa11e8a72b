/** Words the clinic sees for the domain's enumerations. */
import type { Purpose } from '@contour/domain/consent';
import type { AcquisitionChannel, MedicalHistory, Sex } from '@contour/domain/patient';
import type { CheckId } from '@contour/domain/photo-protocol';
import type { ConsistencyCheck, PhotoStatus } from './types';

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

export function keysOf<T extends object>(record: T): (keyof T)[] {
  return Object.keys(record) as (keyof T)[];
}
