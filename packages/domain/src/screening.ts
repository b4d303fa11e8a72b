/**
 * Safety screening of one treatment for one patient: rule-based, with stable rule ids the plan, the review and
 * the audit trail refer to. A contraindication BLOCKS the item (nobody can override it in the review); a
 * caution keeps the item and attaches what the clinician must weigh. Conservative by default: when the record
 * is unclear (an unreadable date, an allergy written in free text), the rule errs towards blocking or warning.
 *
 * Pure: `today` is passed in. Clinical basis: product labels as summarised in the reference (§4.1), and
 * standard aesthetic-practice contraindications; the comment on each rule says why.
 */
import type { ZoneId } from './face-analysis.js';
import { INJECTABLE_CLASSES, zoneDoseFor } from './treatment-catalogue.js';
import type { CatalogueProduct, PlanPatient, PlannerRules, ProductComponent, TreatmentClass } from './treatment-plan.js';

export interface ScreeningRule {
  id: string;
  kind: 'contraindication' | 'caution' | 'limit';
  /** The classes the rule can apply to. */
  appliesTo: readonly TreatmentClass[];
  /** True when another product of the same class may still be suitable (allergies to one product's components). */
  productSpecific: boolean;
  /** The rule in plain language, for the clinician and the governance report. */
  description: string;
}

const ALL: readonly TreatmentClass[] = ['neuromodulator', 'ha_filler', 'biostimulator', 'skin_booster', 'peel', 'energy_device', 'microneedling'];
const FILLER_LIKE: readonly TreatmentClass[] = ['ha_filler', 'biostimulator', 'skin_booster'];
const RESURFACING: readonly TreatmentClass[] = ['peel', 'energy_device', 'microneedling'];

const rule = (id: string, kind: ScreeningRule['kind'], appliesTo: readonly TreatmentClass[], description: string, productSpecific = false): ScreeningRule => ({
  id,
  kind,
  appliesTo,
  productSpecific,
  description,
});

export const SCREENING_RULES: readonly ScreeningRule[] = [
  rule(
    'under-18',
    'contraindication',
    ALL,
    'Under 18: no aesthetic treatment. In England the Botulinum Toxin and Cosmetic Fillers (Children) Act 2021 makes toxin and filler for a cosmetic purpose illegal under 18; the clinic applies the same line to every aesthetic treatment.',
  ),
  rule('pregnancy', 'contraindication', ALL, 'Pregnant: no elective aesthetic treatment. There are no safety data for toxin or fillers in pregnancy (labels advise against), and pregnancy hormones make pigmentation after peels, light and needling more likely.'),
  rule(
    'breastfeeding',
    'contraindication',
    [...INJECTABLE_CLASSES, 'peel'],
    'Breastfeeding: no injectables and no chemical peels. It is not known whether toxin or filler components pass into breast milk, and peel acids are absorbed through the skin.',
  ),
  rule('allergy-lidocaine', 'contraindication', ALL, 'Allergic to lidocaine (lignocaine): no product that contains it (most hyaluronic-acid fillers).', true),
  rule('allergy-hyaluronic-acid', 'contraindication', ALL, 'Allergic to hyaluronic acid: no hyaluronic-acid filler or skin booster.', true),
  rule('allergy-albumin', 'contraindication', ALL, 'Allergic to albumin: no product with human albumin as an excipient (Botox, Dysport and Xeomin all contain it).', true),
  rule(
    'allergy-other',
    'contraindication',
    ALL,
    "An allergy recorded in free text names the product, its active substance or an excipient (e.g. cow's milk protein for Dysport, which contains lactose).",
    true,
  ),
  rule(
    'neuromuscular-disorder',
    'contraindication',
    ['neuromodulator'],
    'Neuromuscular disorder (e.g. myasthenia gravis, Lambert-Eaton syndrome, motor neurone disease): no botulinum toxin. The labels warn of exaggerated weakness, swallowing and breathing problems.',
  ),
  rule('infection-at-site', 'contraindication', ALL, 'An active infection or open lesion at the treatment site: nothing is done there until it has healed (needles and resurfacing spread infection).'),
  rule(
    'active-skin-infection',
    'contraindication',
    ALL,
    'An active skin infection recorded in the medical history (site not given): nothing is injected or resurfaced anywhere on the face until it has healed, since the site is not known and cold sores or impetigo spread with needles, peels and heat.',
  ),
  rule(
    'treatment-interval',
    'contraindication',
    ALL,
    'Too soon after the last treatment: toxins no more often than every 90 days (label), counted from the last toxin of any brand since switching brand does not reset the exposure; other products from the last treatment with the same product.',
  ),
  rule('age-unconfirmed', 'caution', ALL, 'The date of birth is not recorded: confirm the patient is 18 or over before treating.'),
  rule('breastfeeding-skin', 'caution', ['energy_device', 'microneedling'], 'Breastfeeding: hormonal changes make the skin more reactive and pigmentation more likely; consider waiting.'),
  rule(
    'anticoagulants',
    'caution',
    [...INJECTABLE_CLASSES, 'microneedling'],
    'Takes an anticoagulant or antiplatelet medicine: bruising and bleeding are more likely. A prescribed anticoagulant is never stopped for an aesthetic treatment; plan technique (e.g. cannula) and tell the patient.',
  ),
  rule(
    'autoimmune-disease',
    'caution',
    [...FILLER_LIKE, ...RESURFACING],
    'Autoimmune disease: a higher risk of delayed inflammatory reactions to fillers, and of flares or Koebner lesions after peels, needling or heat. Treat when the disease is quiet, with the specialist informed.',
  ),
  rule('keloid-history', 'caution', RESURFACING, 'History of keloid scars: needling, peels and energy devices can trigger raised scars; test a small area first or choose another treatment.'),
  rule(
    'prior-permanent-filler',
    'caution',
    FILLER_LIKE,
    'Permanent filler in this area (or at an unrecorded site): injecting over it risks nodules, granulomas and infection. Find out the product and depth (ultrasound) first.',
  ),
  rule(
    'isotretinoin',
    'caution',
    RESURFACING,
    'Isotretinoin (Roaccutane) in the medicines: healing is impaired; many clinicians wait 6 months after the last dose before peels, needling or energy devices.',
  ),
  rule(
    'toxin-ceiling',
    'limit',
    ['neuromodulator'],
    "The most toxin of one product given at one visit, in that product's own units (never added across brands). The default ceiling is 100 U of onabotulinum (glabella 20 + forehead 20 + crow's feet 24 + platysma 36 in the label); other toxins get theirs from their own labelled glabella dose (Dysport 50 U → 250 U).",
  ),
];

export const screeningRule = (id: string): ScreeningRule | undefined => SCREENING_RULES.find((r) => r.id === id);

export interface ScreeningHit {
  rule: string;
  /** The reason for this patient and this item, in plain language. */
  text: string;
  /** For an interval block: the first day the treatment is possible (ISO). */
  availableFrom?: string;
}

export interface ScreeningResult {
  blocks: ScreeningHit[];
  cautions: ScreeningHit[];
}

/* ---- Dates (ISO yyyy-mm-dd, UTC, no clock) ---- */

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === text;
}

export function addDaysIso(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function daysBetweenIso(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/* ---- Free-text matching ---- */

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Whole words, case-insensitive, with an optional plural ("lips", "cheeks"); apostrophes normalised. */
export function mentions(text: string, word: string): boolean {
  const norm = (s: string): string => s.toLowerCase().replace(/[’`]/g, "'");
  return new RegExp(`(^|[^a-z0-9])${escape(norm(word))}(s|es)?($|[^a-z0-9])`).test(norm(text));
}

const NOTHING_RECORDED = /^\s*(none|no|nil|n\/?a|nkda|nka|not known|-+)?\s*\.?\s*$/i;
const recorded = (text: string | null | undefined): text is string => !!text && !NOTHING_RECORDED.test(text);

/** Words a patient may write for a component in the free-text allergy field. */
const COMPONENT_WORDS: Record<ProductComponent, string[]> = {
  lidocaine: ['lidocaine', 'lignocaine', 'local anaesthetic', 'local anesthetic', 'xylocaine'],
  hyaluronicAcid: ['hyaluronic', 'hyaluronan'],
  albumin: ['albumin'],
};

const COMPONENT_NAMES: Record<ProductComponent, string> = { lidocaine: 'lidocaine', hyaluronicAcid: 'hyaluronic acid', albumin: 'human albumin' };

/** Words that name a whole class: a patient who writes "allergic to Botox" may mean any toxin, so all are screened out. */
const CLASS_WORDS: Partial<Record<TreatmentClass, string[]>> = {
  neuromodulator: ['botulinum', 'botox', 'toxin', 'anti-wrinkle injection'],
  ha_filler: ['filler'],
  skin_booster: ['skin booster'],
  biostimulator: ['poly-l-lactic', 'plla'],
};

/** Excipients that are not in ProductComponent but matter, found by the active substance (labels). */
const EXCIPIENT_WORDS: { generic: RegExp; words: string[]; why: string }[] = [
  { generic: /abobotulinum/i, words: ['lactose', 'milk', 'dairy'], why: "contains lactose, with traces of cow's milk protein (label contraindication)" },
  { generic: /salicyl/i, words: ['aspirin', 'salicylate'], why: 'a salicylate' },
];

/** The name of a product the way a patient might write it: brand and the active substance without the qualifier. */
const productWords = (p: CatalogueProduct): string[] => [p.brand, p.genericName.replace(/\s*\(.*\)\s*$/, '')].filter((w) => w.trim().length > 2);

function otherAllergyHit(other: string, product: CatalogueProduct): ScreeningHit | null {
  const components = product.components.flatMap((c) => COMPONENT_WORDS[c].map((w) => ({ w, why: `contains ${COMPONENT_NAMES[c]}` })));
  const candidates = [
    ...productWords(product).map((w) => ({ w, why: 'is the product named' })),
    ...(CLASS_WORDS[product.treatmentClass] ?? []).map((w) => ({ w, why: `is a ${product.treatmentClass.replace(/_/g, ' ')}` })),
    ...components,
    ...EXCIPIENT_WORDS.filter((e) => e.generic.test(product.genericName)).flatMap((e) => e.words.map((w) => ({ w, why: e.why }))),
  ];
  const hit = candidates.find((c) => mentions(other, c.w));
  return hit ? { rule: 'allergy-other', text: `Recorded allergy "${other.trim()}": ${product.brand} ${hit.why} ("${hit.w}").` } : null;
}

const COMPONENT_RULES: { component: ProductComponent; rule: string; name: string }[] = [
  { component: 'lidocaine', rule: 'allergy-lidocaine', name: 'lidocaine' },
  { component: 'hyaluronicAcid', rule: 'allergy-hyaluronic-acid', name: 'hyaluronic acid' },
  { component: 'albumin', rule: 'allergy-albumin', name: 'human albumin' },
];

function allergyHits(patient: PlanPatient, product: CatalogueProduct): ScreeningHit[] {
  const hits: ScreeningHit[] = [];
  for (const c of COMPONENT_RULES) {
    if (patient.medicalHistory.allergies[c.component] && product.components.includes(c.component)) {
      hits.push({ rule: c.rule, text: `Allergic to ${c.name}: ${product.brand} contains it.` });
    }
  }
  const other = patient.medicalHistory.allergies.other;
  if (recorded(other)) {
    const hit = otherAllergyHit(other, product);
    if (hit) hits.push(hit);
  }
  return hits;
}

/** The most recent treatment that starts this product's interval: any toxin for a toxin, else the same product. */
function lastRelevantTreatment(patient: PlanPatient, product: CatalogueProduct): PlanPatient['lastTreatments'][number] | null {
  const relevant = patient.lastTreatments.filter((t) =>
    product.treatmentClass === 'neuromodulator' ? t.treatmentClass === 'neuromodulator' : t.productId === product.id,
  );
  // An unreadable date sorts last so that it is the one checked: it blocks rather than being ignored.
  const sorted = [...relevant].sort((a, b) => (isIsoDate(a.date) ? (isIsoDate(b.date) ? b.date.localeCompare(a.date) : 1) : -1));
  return sorted[0] ?? null;
}

function intervalHit(patient: PlanPatient, product: CatalogueProduct, today: string): ScreeningHit | null {
  const last = lastRelevantTreatment(patient, product);
  if (!last || product.minIntervalDays <= 0) return null;
  if (!isIsoDate(last.date)) {
    return { rule: 'treatment-interval', text: `The date of the last ${product.treatmentClass.replace(/_/g, ' ')} treatment ("${last.date}") cannot be read; check the record before treating.` };
  }
  const availableFrom = addDaysIso(last.date, product.minIntervalDays);
  if (today >= availableFrom) return null;
  const what = product.treatmentClass === 'neuromodulator' ? 'toxin' : product.brand;
  return {
    rule: 'treatment-interval',
    text: `Last ${what} on ${last.date}: at least ${product.minIntervalDays} days must pass, so ${product.brand} is possible from ${availableFrom}.`,
    availableFrom,
  };
}

/** The zones a free-text note names, with the words patients and clinicians use for them. */
const ZONE_WORDS: Record<ZoneId, string[]> = {
  forehead: ['forehead'],
  glabella: ['glabella', 'frown line', 'between the brows', 'between the eyebrows'],
  temple: ['temple'],
  brow: ['brow', 'eyebrow'],
  crows_feet: ["crow's feet", 'crows feet', 'crowsfeet'],
  tear_trough: ['tear trough', 'under eye', 'under-eye', 'undereye', 'under the eyes', 'infraorbital'],
  cheek: ['cheek', 'cheekbone', 'malar', 'midface', 'mid-face'],
  nasolabial: ['nasolabial', 'smile line', 'laugh line', 'nlf', 'nose to mouth'],
  nose: ['nose', 'nasal', 'rhinoplasty'],
  upper_lip: ['lip', 'upper lip'],
  lower_lip: ['lip', 'lower lip'],
  perioral: ['perioral', 'around the mouth', 'lip lines', "smoker's lines"],
  marionette: ['marionette', 'jowl'],
  chin: ['chin'],
  jawline: ['jawline', 'jaw', 'jowl'],
  neck: ['neck'],
};

/** The zones a note such as "silicone in the lips (2009)" names. Exported for the review and tests. */
export function zonesNamed(text: string): ZoneId[] {
  return (Object.keys(ZONE_WORDS) as ZoneId[]).filter((z) => ZONE_WORDS[z].some((w) => mentions(text, w)));
}

function permanentFillerHit(patient: PlanPatient, zoneId: ZoneId): ScreeningHit | null {
  const note = patient.medicalHistory.priorPermanentFiller;
  if (!recorded(note)) return null;
  const zones = zonesNamed(note);
  if (zones.length > 0 && !zones.includes(zoneId)) return null;
  return {
    rule: 'prior-permanent-filler',
    text: zones.length > 0 ? `Permanent filler recorded here: "${note.trim()}".` : `Permanent filler recorded, site not clear: "${note.trim()}". Ask where before injecting anywhere.`,
  };
}

const ANTICOAGULANT_WORDS = ['warfarin', 'apixaban', 'eliquis', 'rivaroxaban', 'xarelto', 'edoxaban', 'dabigatran', 'heparin', 'enoxaparin', 'clopidogrel', 'ticagrelor', 'prasugrel', 'aspirin'];
const ISOTRETINOIN_WORDS = ['isotretinoin', 'roaccutane', 'accutane'];

function anticoagulantHit(patient: PlanPatient): ScreeningHit | null {
  const named = ANTICOAGULANT_WORDS.find((w) => mentions(patient.medicalHistory.medications, w));
  if (!patient.medicalHistory.anticoagulants && !named) return null;
  return { rule: 'anticoagulants', text: named ? `Takes ${named}: bruising and bleeding are more likely.` : 'Takes an anticoagulant: bruising and bleeding are more likely.' };
}

const applies = (ruleId: string, cls: TreatmentClass): boolean => screeningRule(ruleId)?.appliesTo.includes(cls) ?? false;

function contraindications(patient: PlanPatient, product: CatalogueProduct, zoneId: ZoneId, today: string): ScreeningHit[] {
  const h = patient.medicalHistory;
  const cls = product.treatmentClass;
  const blocks: ScreeningHit[] = [];
  if (patient.age !== null && patient.age < 18) blocks.push({ rule: 'under-18', text: `The patient is ${patient.age}: no aesthetic treatment under 18.` });
  if (h.pregnant) blocks.push({ rule: 'pregnancy', text: `Pregnant: no ${product.brand} until after the pregnancy.` });
  if (h.breastfeeding && applies('breastfeeding', cls)) blocks.push({ rule: 'breastfeeding', text: `Breastfeeding: no ${product.brand} until breastfeeding has stopped.` });
  blocks.push(...allergyHits(patient, product));
  if (h.neuromuscularDisorder && cls === 'neuromodulator') blocks.push({ rule: 'neuromuscular-disorder', text: 'Neuromuscular disorder recorded: botulinum toxin is not given.' });
  if (patient.infectedZones.includes(zoneId)) blocks.push({ rule: 'infection-at-site', text: `Active infection or open lesion in this area today: nothing is done there until it has healed.` });
  if (h.activeSkinInfection) blocks.push({ rule: 'active-skin-infection', text: 'Active skin infection recorded: no treatment until it has healed.' });
  const interval = intervalHit(patient, product, today);
  if (interval) blocks.push(interval);
  return blocks;
}

function cautions(patient: PlanPatient, product: CatalogueProduct, zoneId: ZoneId): ScreeningHit[] {
  const h = patient.medicalHistory;
  const cls = product.treatmentClass;
  const found: ScreeningHit[] = [];
  if (patient.age === null) found.push({ rule: 'age-unconfirmed', text: 'No date of birth recorded: confirm the patient is 18 or over.' });
  if (h.breastfeeding && applies('breastfeeding-skin', cls)) found.push({ rule: 'breastfeeding-skin', text: 'Breastfeeding: the skin is more reactive; consider waiting.' });
  const anticoagulant = applies('anticoagulants', cls) ? anticoagulantHit(patient) : null;
  if (anticoagulant) found.push(anticoagulant);
  if (h.autoimmuneDisease && applies('autoimmune-disease', cls)) found.push({ rule: 'autoimmune-disease', text: 'Autoimmune disease recorded: treat when quiet, specialist informed.' });
  if (h.keloidHistory && applies('keloid-history', cls)) found.push({ rule: 'keloid-history', text: 'History of keloid scars: test a small area first.' });
  const permanent = applies('prior-permanent-filler', cls) ? permanentFillerHit(patient, zoneId) : null;
  if (permanent) found.push(permanent);
  const isotretinoin = ISOTRETINOIN_WORDS.find((w) => mentions(h.medications, w));
  if (isotretinoin && applies('isotretinoin', cls)) found.push({ rule: 'isotretinoin', text: `${isotretinoin} in the medicines: check when the last dose was.` });
  return found;
}

/**
 * Screens one product in one zone for one patient on `today` (ISO). Blocks are contraindications (the item
 * must not be planned or signed); cautions keep the item with a warning attached.
 */
export function screenItem(patient: PlanPatient, product: CatalogueProduct, zoneId: ZoneId, today: string): ScreeningResult {
  return { blocks: contraindications(patient, product, zoneId, today), cautions: cautions(patient, product, zoneId) };
}

/** The glabella dose the onabotulinum label gives (§4.1), the yardstick of the ceiling's default. */
const ONA_GLABELLA_LABEL_U = 20;

/**
 * The most units of one toxin product at one visit, in that product's own units.
 *
 * `toxinCeilingPerVisit` (default 100) is set in onabotulinum units. It is NOT used to convert anybody's dose:
 * it only sets each product's own limit. A product with a labelled glabella dose gets the ceiling scaled by its
 * label against onabotulinum's 20 U (Xeomin 20 U → 100 U; Dysport 50 U → 250 U Dysport). A product without one
 * (no label to derive from) gets the number as it stands, in its own units.
 */
export function toxinCeiling(product: CatalogueProduct, rules: Pick<PlannerRules, 'toxinCeilingPerVisit'>): number {
  const glabella = zoneDoseFor(product, 'glabella');
  if (!glabella || glabella.label !== 'on-label') return rules.toxinCeilingPerVisit;
  return Math.round((rules.toxinCeilingPerVisit * glabella.min) / ONA_GLABELLA_LABEL_U);
}
