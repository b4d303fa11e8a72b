/**
 * The patient record as the clinic thinks of it: who they are, how they found the clinic,
 * and the medical history that matters before any aesthetic treatment.
 */

export const ACQUISITION_CHANNELS = [
  'referral',
  'returning',
  'walk_in',
  'website',
  'google_search',
  'google_ads',
  'instagram',
  'facebook',
  'tiktok',
  'email',
  'event',
  'other',
] as const;
export type AcquisitionChannel = (typeof ACQUISITION_CHANNELS)[number];

export const SEXES = ['female', 'male', 'intersex', 'not_stated'] as const;
export type Sex = (typeof SEXES)[number];

/**
 * Screening items from aesthetic-injectables practice. Each is a known contraindication or caution
 * for toxin, filler or energy treatments; the planner (issue 5) reads them from here.
 */
export interface MedicalHistory {
  allergies: {
    lidocaine: boolean;
    hyaluronicAcid: boolean;
    albumin: boolean;
    other: string;
  };
  pregnant: boolean;
  breastfeeding: boolean;
  neuromuscularDisorder: boolean;
  anticoagulants: boolean;
  autoimmuneDisease: boolean;
  activeSkinInfection: boolean;
  keloidHistory: boolean;
  priorPermanentFiller: string;
  priorTreatments: string;
  medications: string;
}

export function emptyMedicalHistory(): MedicalHistory {
  return {
    allergies: { lidocaine: false, hyaluronicAcid: false, albumin: false, other: '' },
    pregnant: false,
    breastfeeding: false,
    neuromuscularDisorder: false,
    anticoagulants: false,
    autoimmuneDisease: false,
    activeSkinInfection: false,
    keloidHistory: false,
    priorPermanentFiller: '',
    priorTreatments: '',
    medications: '',
  };
}

/** Digits only, so "+44 (0)20 7946 0000" and "020 7946 0000" can be matched by their tails. */
export function phoneDigits(phone: string | null | undefined): string {
  return (phone ?? '').replace(/\D+/g, '');
}

export interface PatientSearch {
  /** Lower-cased words that must all appear in the name, email or phone. */
  words: string[];
  /** Set when the query is (or contains) a date of birth. */
  dateOfBirth: string | null;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_FIRST_DATE = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/;

/** Dates typed the clinic's way (day first, as in the UK/EU) or ISO. */
export function parseDate(text: string): string | null {
  let year: number, month: number, day: number;
  const iso = ISO_DATE.exec(text);
  const dayFirst = DAY_FIRST_DATE.exec(text);
  if (iso) [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (dayFirst) [day, month, year] = [Number(dayFirst[1]), Number(dayFirst[2]), Number(dayFirst[3])];
  else return null;
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null;
  return date.toISOString().slice(0, 10);
}

export function parsePatientSearch(query: string): PatientSearch {
  const words: string[] = [];
  let dateOfBirth: string | null = null;
  for (const token of query.trim().toLowerCase().split(/\s+/)) {
    if (!token) continue;
    const date = parseDate(token);
    if (date && !dateOfBirth) dateOfBirth = date;
    else {
      // A phone number is searched by its digits; anything else as typed. Short groups count too:
      // "+44" kept as typed could never match, since the search text holds the digits only.
      const digits = phoneDigits(token);
      words.push(/^[+\d()\-.]+$/.test(token) && digits.length > 0 ? digits : token);
    }
  }
  return { words, dateOfBirth };
}

/** The text a patient is found by: names, email and phone digits, lower-cased. */
export function patientSearchText(p: {
  givenName: string;
  familyName: string;
  preferredName?: string | null;
  email?: string | null;
  phone?: string | null;
}): string {
  return [p.givenName, p.preferredName ?? '', p.familyName, p.email ?? '', phoneDigits(p.phone)]
    .join(' ')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}

export function ageOn(dateOfBirth: string, on: Date): number {
  const dob = new Date(`${dateOfBirth}T00:00:00Z`);
  let age = on.getUTCFullYear() - dob.getUTCFullYear();
  const beforeBirthday =
    on.getUTCMonth() < dob.getUTCMonth() ||
    (on.getUTCMonth() === dob.getUTCMonth() && on.getUTCDate() < dob.getUTCDate());
  if (beforeBirthday) age -= 1;
  return age;
}
