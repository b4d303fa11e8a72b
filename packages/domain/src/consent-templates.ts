import type { ConsentType } from './consent.js';

export interface ConsentTemplateText {
  type: ConsentType;
  title: string;
  body: string;
  /** Months a signature stays valid; null means until withdrawn. */
  validForMonths: number | null;
}

/**
 * Version 1 of each consent, created with a new clinic. Clinics edit them by publishing a new
 * version; signatures always point at the exact version the patient read.
 */
export const DEFAULT_CONSENT_TEMPLATES: ConsentTemplateText[] = [
  {
    type: 'clinical_photography',
    title: 'Clinical photography',
    validForMonths: null,
    body:
      'I agree that the clinic may take standardised photographs of my face and neck before, during and after ' +
      'treatment. The photographs form part of my medical record. They are stored encrypted on the clinic\'s own ' +
      'system, seen only by the clinical team caring for me, and never used for any other purpose without my ' +
      'separate consent. I may withdraw this consent at any time; photographs already taken remain part of my ' +
      'record unless I ask for them to be erased.',
  },
  {
    type: 'ai_analysis',
    title: 'AI-assisted facial analysis',
    validForMonths: null,
    body:
      'I agree that my clinical photographs may be analysed by software running on the clinic\'s own computers to ' +
      'measure facial proportions and estimate signs of ageing. The results are estimates that support, and never ' +
      'replace, my clinician\'s judgement. My photographs are not sent to any outside service. I may withdraw this ' +
      'consent at any time.',
  },
  {
    type: 'simulation',
    title: 'Outcome simulation',
    validForMonths: null,
    body:
      'I agree that the clinic may produce simulated images of possible treatment outcomes from my photographs. ' +
      'I understand that a simulation is a projection, not a guarantee: real results vary from person to person. ' +
      'Every simulated image is labelled as such. I may withdraw this consent at any time.',
  },
  {
    type: 'treatment',
    title: 'Treatment',
    validForMonths: 12,
    body:
      'I confirm that I have disclosed my full medical history, that the proposed treatment, its expected ' +
      'benefits, alternatives, risks and likely duration have been explained to me by a licensed clinician, and ' +
      'that I have had the opportunity to ask questions. I consent to the treatment agreed in my signed plan. ' +
      'This consent is reviewed every twelve months.',
  },
  {
    type: 'marketing_images',
    title: 'Use of images in marketing',
    validForMonths: 24,
    body:
      'I agree that the clinic may use my before-and-after photographs in its marketing (website, social media, ' +
      'printed material). My name will not be shown. I may withdraw this consent at any time; the clinic will ' +
      'stop new use of my images, though material already printed or published may take time to remove.',
  },
  {
    type: 'marketing_messages',
    title: 'Marketing messages',
    validForMonths: null,
    body:
      'I agree to receive news, offers and treatment reminders from the clinic by email or text message. ' +
      'I may withdraw this consent at any time, and every message tells me how.',
  },
];
