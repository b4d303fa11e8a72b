/** Words the clinic sees for the domain's enumerations. */
import type { Purpose } from '@contour/domain/consent';
import type { AcquisitionChannel, MedicalHistory, Sex } from '@contour/domain/patient';
import type { CheckId } from '@contour/domain/photo-protocol';
import type {
  ConsistencyCheck,
  DeviationKind,
  DoseUnit,
  DowntimeTolerance,
  ItemDecision,
  PatientGoal,
  PhotoStatus,
  PlanStatus,
  Side,
  Subtlety,
  TreatmentClass,
} from './types';

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

export { ZONE_EXPLANATIONS, ZONE_LABELS } from '@contour/domain/zone-labels';

/** Sides are the patient's own: their right is on the viewer's left in a frontal photo. */
export const SIDE_LABELS: Record<Side, string> = {
  right: "Patient's right",
  left: "Patient's left",
  centre: 'Centre',
};

/** The 0–4 steps every zone scale shares. */
export const GRADE_LABELS = ['None', 'Mild', 'Moderate', 'Severe', 'Very severe'] as const;

/** The patient's goals as they would say them at the consultation. */
export const GOAL_LABELS: Record<PatientGoal, string> = {
  look_less_tired: 'Look less tired',
  smooth_lines: 'Soften lines and wrinkles',
  lip_volume: 'Fuller or better-shaped lips',
  lower_face_definition: 'A more defined jaw and chin',
  midface_volume: 'Restore volume in the cheeks',
  skin_quality: 'Better skin quality and glow',
  facial_balance: 'A more balanced face',
};

export const SUBTLETY_LABELS: Record<Subtlety, string> = {
  subtle: 'Subtle: nobody should notice',
  balanced: 'Balanced: refreshed but natural',
  noticeable: 'Noticeable: a visible change',
};

export const DOWNTIME_LABELS: Record<DowntimeTolerance, string> = {
  none: 'None: back to normal the same day',
  few_days: 'A few days of swelling or redness is fine',
  week: 'Up to a week is fine',
};

export const TREATMENT_CLASS_LABELS: Record<TreatmentClass, string> = {
  neuromodulator: 'Anti-wrinkle injection (toxin)',
  ha_filler: 'Hyaluronic acid filler',
  biostimulator: 'Collagen stimulator',
  skin_booster: 'Skin booster',
  peel: 'Chemical peel',
  energy_device: 'Light or energy device',
  microneedling: 'Microneedling',
};

/** Doses spelled out: toxin units are units of that product only, never comparable across brands. */
export const UNIT_LABELS: Record<DoseUnit, string> = {
  U: 'U',
  mL: 'mL',
  session: 'session(s)',
};

export const DECISION_LABELS: Record<ItemDecision, string> = {
  accepted: 'Accepted',
  modified: 'Modified',
  rejected: 'Rejected',
  added: 'Added by the clinician',
};

export const PLAN_STATUS_LABELS: Record<PlanStatus, string> = {
  draft: 'Draft, in review',
  signed: 'Signed',
};

export const DEVIATION_LABELS: Record<DeviationKind, string> = {
  not_done: 'Planned, not done',
  not_planned: 'Not in the plan',
  different_amount: 'Different amount',
  different_product: 'Different product',
};

export function keysOf<T extends object>(record: T): (keyof T)[] {
  return Object.keys(record) as (keyof T)[];
}
