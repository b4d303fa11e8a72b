/**
 * Consent rules: "may we do X for this patient now?"
 *
 * Every feature that touches a patient's images or contacts them calls `mayWeDo` before it acts,
 * with the patient's full consent history. Withdrawal is honoured from the moment it is recorded.
 */

export const CONSENT_TYPES = [
  'clinical_photography',
  'ai_analysis',
  'simulation',
  'treatment',
  'marketing_images',
  'marketing_messages',
] as const;
export type ConsentType = (typeof CONSENT_TYPES)[number];

export const CONSENT_TYPE_LABELS: Record<ConsentType, string> = {
  clinical_photography: 'Clinical photography',
  ai_analysis: 'AI-assisted facial analysis',
  simulation: 'Outcome simulation',
  treatment: 'Treatment',
  marketing_images: 'Use of images in marketing',
  marketing_messages: 'Marketing messages',
};

/** What the clinic wants to do, and which consents each purpose needs (all of them). */
export const PURPOSES = {
  capture_photos: ['clinical_photography'],
  analyse_photos: ['clinical_photography', 'ai_analysis'],
  simulate_outcome: ['clinical_photography', 'simulation'],
  treat: ['treatment'],
  use_images_in_marketing: ['clinical_photography', 'marketing_images'],
  send_marketing_messages: ['marketing_messages'],
} as const satisfies Record<string, readonly ConsentType[]>;
export type Purpose = keyof typeof PURPOSES;
export const PURPOSE_NAMES = Object.keys(PURPOSES) as Purpose[];

/** One signed consent as the rules need to see it. */
export interface ConsentRecord {
  type: ConsentType;
  templateVersion: number;
  signedAt: Date;
  withdrawnAt: Date | null;
  /** Months a signature stays valid; null means until withdrawn. */
  validForMonths: number | null;
}

export interface PatientStatus {
  archived: boolean;
  erased: boolean;
}

export type ConsentDecision =
  | { allowed: true; purpose: Purpose; basedOn: ConsentRecord[] }
  | { allowed: false; purpose: Purpose; missing: ConsentType[]; reason: string };

export function isInForce(consent: ConsentRecord, now: Date): boolean {
  if (consent.signedAt.getTime() > now.getTime()) return false;
  if (consent.withdrawnAt && consent.withdrawnAt.getTime() <= now.getTime()) return false;
  if (consent.validForMonths !== null) {
    // Calendar months, clamped to the end of a shorter month (31 August + 6 months = 28 February),
    // as PostgreSQL's interval arithmetic counts them; setUTCMonth alone would roll over into March.
    const expires = new Date(consent.signedAt);
    const day = expires.getUTCDate();
    expires.setUTCDate(1);
    expires.setUTCMonth(expires.getUTCMonth() + consent.validForMonths);
    const lastDay = new Date(Date.UTC(expires.getUTCFullYear(), expires.getUTCMonth() + 1, 0)).getUTCDate();
    expires.setUTCDate(Math.min(day, lastDay));
    if (expires.getTime() <= now.getTime()) return false;
  }
  return true;
}

/** The newest consent in force of each type, if any. */
export function consentsInForce(history: ConsentRecord[], now: Date): Map<ConsentType, ConsentRecord> {
  const inForce = new Map<ConsentType, ConsentRecord>();
  for (const consent of history) {
    if (!isInForce(consent, now)) continue;
    const current = inForce.get(consent.type);
    if (!current || consent.signedAt > current.signedAt) inForce.set(consent.type, consent);
  }
  return inForce;
}

export function mayWeDo(purpose: Purpose, patient: PatientStatus, history: ConsentRecord[], now: Date): ConsentDecision {
  const needed: readonly ConsentType[] = PURPOSES[purpose];
  if (patient.erased) {
    return { allowed: false, purpose, missing: [...needed], reason: 'This patient record has been erased.' };
  }
  if (patient.archived) {
    return { allowed: false, purpose, missing: [...needed], reason: 'This patient is archived; restore the record first.' };
  }
  const inForce = consentsInForce(history, now);
  const missing = needed.filter((type) => !inForce.has(type));
  if (missing.length > 0) {
    const names = missing.map((type) => CONSENT_TYPE_LABELS[type].toLowerCase()).join(' and ');
    return { allowed: false, purpose, missing, reason: `The patient has no consent in force for ${names}.` };
  }
  return { allowed: true, purpose, basedOn: needed.map((type) => inForce.get(type) as ConsentRecord) };
}
