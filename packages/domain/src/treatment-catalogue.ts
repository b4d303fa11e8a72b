/**
 * The reference treatment catalogue a new clinic starts from, and the helpers that read and check a catalogue.
 *
 * Doses come from the clinical reference (/work/shared/reference/clinical-and-market-reference.md, "§4": 4.1
 * toxin labels, 4.2 toxin off-label ranges, 4.3 filler volumes, 4.4 durations), and every zone dose names its
 * source. They are *typical ranges for clinician reference*, never prescriptions (§0): the planner shows them
 * as ranges and the clinician sets the dose. Where the reference has no figure the source says "[EST]" and
 * what the figure rests on, so the clinic knows which numbers to check first.
 *
 * PRICES ARE EXAMPLES: plausible UK prices (GBP, 2026) so plans show a cost from the first day. Each clinic
 * replaces them with its own.
 */
import { ZONE_IDS, type ZoneId } from './face-analysis.js';
import {
  DOSE_UNITS,
  PRODUCT_COMPONENTS,
  TREATMENT_CLASSES,
  type CatalogueProduct,
  type DoseUnit,
  type TreatmentCatalogue,
  type TreatmentClass,
  type ZoneDose,
} from './treatment-plan.js';
import { isPairedZone } from './face-zones.js';

// Paired zones (per side) are the zone map's own: one list for the catalogue, the planner and the simulation.
export { PAIRED_ZONES, isPairedZone } from './face-zones.js';

/**
 * The unit each class is dosed in. Toxins in units of that product; fillers by volume; treatments given as a
 * procedure by session. Skin boosters and biostimulators may be priced either way (Profhilo by 2 mL session,
 * SkinVive by the mL; Sculptra by the vial-session, Radiesse by the syringe).
 */
export const CLASS_UNITS: Record<TreatmentClass, readonly DoseUnit[]> = {
  neuromodulator: ['U'],
  ha_filler: ['mL'],
  biostimulator: ['session', 'mL'],
  skin_booster: ['session', 'mL'],
  peel: ['session'],
  energy_device: ['session'],
  microneedling: ['session'],
};

/** Classes that are injected (needle through the skin into the tissue). */
export const INJECTABLE_CLASSES: readonly TreatmentClass[] = ['neuromodulator', 'ha_filler', 'biostimulator', 'skin_booster'];

const dose = (zoneId: ZoneId, perSide: boolean, min: number, max: number, label: ZoneDose['label'], source: string): ZoneDose => ({
  zoneId,
  perSide,
  min,
  max,
  label,
  source,
});

const TOXIN_LABEL = '§4.1 [LABEL]';
const TOXIN_OFF = '§4.2 (consensus/practice, evidence low–moderate)';
/** Dysport units are not Botox units (§4.1: abo : ona ≈ 2.5–3 : 1). Off-label Dysport ranges are the ona range × 2.5, the conservative end. */
const DYSPORT_EST = '[EST] onabotulinum range of §4.2 × 2.5 (the conservative end of abo:ona 2.5–3:1, §4.1); not a label dose';

/**
 * Botox Cosmetic. Contains human serum albumin as an excipient (label), hence the albumin component.
 * The 90-day minimum is the label's "no more often than every 90 days" (§4.1).
 */
const BOTOX: CatalogueProduct = {
  id: 'botox-cosmetic',
  brand: 'Botox Cosmetic',
  genericName: 'onabotulinumtoxinA',
  treatmentClass: 'neuromodulator',
  unit: 'U',
  pricePerUnit: 8, // example: £160 for the 20 U glabella treatment
  typicalDurationMonths: 3.5, // §4.4: 3–4 months
  minIntervalDays: 90,
  downtimeDays: 0, // small bumps settle within the hour; a bruise is possible (screening adds the anticoagulant caution)
  components: ['albumin'],
  zones: [
    dose('glabella', false, 20, 20, 'on-label', `${TOXIN_LABEL}: glabellar lines 20 U (5 sites × 4 U)`),
    dose('forehead', false, 10, 20, 'on-label', `${TOXIN_LABEL}: forehead lines 20 U (5 × 4 U), given with glabella 20 U; 10 U lower end is practice for a lighter result`),
    dose('crows_feet', true, 8, 16, 'on-label', `${TOXIN_LABEL}: lateral canthal lines 24 U = 12 U per side; 8–16 U per side ${TOXIN_OFF}`),
    dose('neck', false, 26, 36, 'on-label', `${TOXIN_LABEL}: platysma bands 26 / 31 / 36 U by severity (approved Oct 2024)`),
    dose('perioral', false, 4, 6, 'off-label', `${TOXIN_OFF}: perioral lines ~1 U per point × 4–6 points`),
    dose('marionette', true, 2, 3, 'off-label', `${TOXIN_OFF}: depressor anguli oris 2–3 U per side`),
    dose('chin', false, 4, 8, 'off-label', `${TOXIN_OFF}: mentalis 4–8 U (≤16–20 U total in the reference; the lower end kept here)`),
    dose('jawline', true, 20, 40, 'off-label', `${TOXIN_OFF}: masseter 20–40 U per side, tailored to bulk`),
    dose('nose', false, 4, 8, 'off-label', `${TOXIN_OFF}: bunny lines (nasalis) ~4–8 U total`),
  ],
  active: true,
};

/**
 * Dysport: its own units (label glabella 50 U). Contains human albumin and lactose (label excipients); the
 * lactose is why the label contraindicates it in cow's-milk-protein allergy (screening reads "other" allergies).
 */
const DYSPORT: CatalogueProduct = {
  id: 'dysport',
  brand: 'Dysport',
  genericName: 'abobotulinumtoxinA',
  treatmentClass: 'neuromodulator',
  unit: 'U',
  pricePerUnit: 3.2, // example: £160 for the 50 U glabella treatment
  typicalDurationMonths: 4, // §4.1/§4.4: "up to ~4 months"
  minIntervalDays: 90,
  downtimeDays: 0,
  components: ['albumin'],
  zones: [
    dose('glabella', false, 50, 50, 'on-label', `${TOXIN_LABEL}: glabellar lines 50 U (5 × 10 U)`),
    dose('forehead', false, 25, 50, 'off-label', DYSPORT_EST),
    dose('crows_feet', true, 20, 40, 'off-label', DYSPORT_EST),
    dose('perioral', false, 10, 15, 'off-label', `${DYSPORT_EST}; a combination study used 18 U Dysport perioral (§4.2)`),
    dose('marionette', true, 5, 7.5, 'off-label', DYSPORT_EST),
    dose('chin', false, 10, 20, 'off-label', DYSPORT_EST),
    dose('jawline', true, 50, 100, 'off-label', DYSPORT_EST),
    dose('nose', false, 10, 20, 'off-label', DYSPORT_EST),
  ],
  active: true,
};

/**
 * Xeomin. Incobotulinum is free of the complexing proteins, but NOT of albumin: human serum albumin is an
 * excipient (with sucrose) in the label, so a patient allergic to albumin is screened out of it too. Doses are
 * labelled 1:1 with onabotulinum (§4.1: inco ≈ ona 1:1, label doses identical), still never added to Botox units.
 */
const XEOMIN: CatalogueProduct = {
  id: 'xeomin',
  brand: 'Xeomin',
  genericName: 'incobotulinumtoxinA',
  treatmentClass: 'neuromodulator',
  unit: 'U',
  pricePerUnit: 7.5, // example
  typicalDurationMonths: 3.5,
  minIntervalDays: 90,
  downtimeDays: 0,
  components: ['albumin'],
  zones: [
    dose('glabella', false, 20, 20, 'on-label', `${TOXIN_LABEL}: glabellar lines 20 U`),
    dose('forehead', false, 10, 20, 'on-label', `${TOXIN_LABEL}: upper facial lines (July 2024) forehead 20 U with glabella 20 U; 10 U lower end is practice`),
    dose('crows_feet', true, 8, 16, 'on-label', `${TOXIN_LABEL}: upper facial lines (July 2024) lateral canthal 24 U = 12 U per side; 8–16 U per side ${TOXIN_OFF}`),
    dose('neck', false, 26, 36, 'off-label', `${TOXIN_OFF}: the platysma approval is Botox's; same units as onabotulinum (label 1:1)`),
    dose('perioral', false, 4, 6, 'off-label', `${TOXIN_OFF}: perioral lines ~4–6 U total`),
    dose('marionette', true, 2, 3, 'off-label', `${TOXIN_OFF}: depressor anguli oris 2–3 U per side`),
    dose('chin', false, 4, 8, 'off-label', `${TOXIN_OFF}: mentalis 4–8 U`),
    dose('jawline', true, 20, 40, 'off-label', `${TOXIN_OFF}: masseter 20–40 U per side`),
    dose('nose', false, 4, 8, 'off-label', `${TOXIN_OFF}: bunny lines ~4–8 U total`),
  ],
  active: true,
};

const HA = ['lidocaine', 'hyaluronicAcid'] as const;

/** Lip HA, Volbella-class (VYC-15L). Two lips share the session's 0.5–1 mL. */
const LIP_HA: CatalogueProduct = {
  id: 'volbella-lips',
  brand: 'Juvéderm Volbella',
  genericName: 'hyaluronic acid with lidocaine (lips)',
  treatmentClass: 'ha_filler',
  unit: 'mL',
  pricePerUnit: 300, // example: £300 per 1 mL syringe
  typicalDurationMonths: 12, // §4.4: ~1 year (50–65 % responders at 12 months)
  minIntervalDays: 14, // a touch-up is judged once the swelling has settled (§4.3 pivotal trials used a touch-up)
  downtimeDays: 3, // lip swelling for 2–3 days
  components: [...HA],
  zones: [
    dose('upper_lip', false, 0.25, 0.5, 'on-label', '§4.3: lips 0.5–1 mL per session typical [LOWQ], shared between the lips; pivotal median 2.6 mL included touch-ups [RCT]'),
    dose('lower_lip', false, 0.25, 0.5, 'on-label', '§4.3: lips 0.5–1 mL per session typical [LOWQ], shared between the lips'),
  ],
  active: true,
};

/** Midface HA, Voluma-class (VYC-20L): cheek and temple support. */
const MIDFACE_HA: CatalogueProduct = {
  id: 'voluma-midface',
  brand: 'Juvéderm Voluma',
  genericName: 'hyaluronic acid with lidocaine (midface)',
  treatmentClass: 'ha_filler',
  unit: 'mL',
  pricePerUnit: 380, // example
  typicalDurationMonths: 24, // §4.4: up to ~2 years
  minIntervalDays: 14,
  downtimeDays: 2,
  components: [...HA],
  zones: [
    dose(
      'cheek',
      true,
      0.5,
      1.5,
      'on-label',
      '§4.3: real-world initial mean 1.6 mL total [PEER], median 2 mL in the Chinese RCT [RCT]; practice 1–3 mL per side [LOWQ]. Per visit the conservative end is kept',
    ),
    dose('temple', true, 0.5, 1.2, 'on-label', '§5.1: temple study volumes 0.71 ± 0.2 (subdermal) to 1.20 ± 0.5 mL (supraperiosteal) [PEER]; practice 0.5–2 mL per side [LOWQ]'),
  ],
  active: true,
};

/** Tear-trough HA, a soft low-G′ gel approved for infraorbital hollows (Restylane Eyelight; VYC-15L likewise). */
const TEAR_TROUGH_HA: CatalogueProduct = {
  id: 'eyelight-tear-trough',
  brand: 'Restylane Eyelight',
  genericName: 'hyaluronic acid with lidocaine (infraorbital)',
  treatmentClass: 'ha_filler',
  unit: 'mL',
  pricePerUnit: 450, // example: a specialist treatment priced higher
  typicalDurationMonths: 12, // §4.4: 8–12 months (up to 12+ with VYC-15L)
  minIntervalDays: 14,
  downtimeDays: 3, // swelling and bruising under the eye
  components: [...HA],
  zones: [
    dose('tear_trough', true, 0.3, 1, 'on-label', '§4.3: practice 0.5–1 mL per side, often less (0.3–0.5 mL) [LOWQ/EST]; Voluma infraorbital average ~1 mL for both sides [PEER]'),
  ],
  active: true,
};

/** Chin and jaw HA, Volux-class (VYC-25L). */
const CHIN_JAW_HA: CatalogueProduct = {
  id: 'volux-chin-jaw',
  brand: 'Juvéderm Volux',
  genericName: 'hyaluronic acid with lidocaine (chin and jaw)',
  treatmentClass: 'ha_filler',
  unit: 'mL',
  pricePerUnit: 400, // example
  typicalDurationMonths: 12, // §4.4: ~12 months (Defyne 74 % responders at week 48)
  minIntervalDays: 14,
  downtimeDays: 2,
  components: [...HA],
  zones: [
    dose('chin', false, 1, 2, 'on-label', '§4.3: chin + jawline Volux mean 4.0 ± 0.8 mL in total (Bertossi 2020) [PEER]; chin share 1–2 mL'),
    dose('jawline', true, 1, 2, 'on-label', '§4.3: chin + jawline Volux mean 4.0 ± 0.8 mL in total [PEER]; jawline share 1–2 mL per side'),
  ],
  active: true,
};

/** Fold HA for nasolabial and marionette lines (Juvéderm Ultra Plus XC class). */
const FOLDS_HA: CatalogueProduct = {
  id: 'ultra-plus-folds',
  brand: 'Juvéderm Ultra Plus XC',
  genericName: 'hyaluronic acid with lidocaine (folds)',
  treatmentClass: 'ha_filler',
  unit: 'mL',
  pricePerUnit: 320, // example
  typicalDurationMonths: 12, // [EST] 9–12 months for fold fillers; not in §4.4
  minIntervalDays: 14,
  downtimeDays: 2,
  components: [...HA],
  zones: [
    dose('nasolabial', true, 0.5, 1, 'on-label', '[EST] practice 0.5–1 mL per fold; §4.3 has no per-fold volume (NLF is a labelled indication)'),
    dose('marionette', true, 0.5, 1, 'off-label', '[EST] practice 0.5–1 mL per side; §4.3 full-face pattern puts 36 % of volume in the lower face [PEER]'),
  ],
  active: true,
};

/** Skin booster: Profhilo, 2 mL per session, 2 sessions about 4 weeks apart (§4.3). Hyaluronic acid, no lidocaine. */
const SKIN_BOOSTER: CatalogueProduct = {
  id: 'profhilo',
  brand: 'Profhilo',
  genericName: 'hyaluronic acid, hybrid high/low molecular weight (skin booster)',
  treatmentClass: 'skin_booster',
  unit: 'session',
  pricePerUnit: 320, // example, per session
  typicalDurationMonths: 6, // §4.4: initial 2 sessions then maintenance; ~6 months commonly marketed [EST]
  minIntervalDays: 28, // §4.3: sessions ~4 weeks apart
  downtimeDays: 1, // bumps at the injection points settle within a day
  components: ['hyaluronicAcid'],
  zones: [
    dose('cheek', false, 2, 2, 'on-label', '§4.3: 2 mL per session, 2 sessions ~4 weeks apart, 5 BAP points per side (the face course)'),
    dose('neck', false, 2, 2, 'on-label', '§4.3: 2 sessions ~4 weeks apart [SEC]; the neck as its own course'),
  ],
  active: true,
};

/** Biostimulator: poly-L-lactic acid (Sculptra). Not in §4; figures are the label's and practice [EST]. */
const BIOSTIMULATOR: CatalogueProduct = {
  id: 'sculptra',
  brand: 'Sculptra',
  genericName: 'poly-L-lactic acid',
  treatmentClass: 'biostimulator',
  unit: 'session',
  pricePerUnit: 550, // example, one vial per session
  typicalDurationMonths: 24, // [EST] vendor claims up to ~2 years
  minIntervalDays: 28, // [EST] sessions 4–6 weeks apart: collagen builds between them
  downtimeDays: 2,
  components: [], // supplied without lidocaine (often reconstituted with it: the clinician screens that at the chair)
  zones: [
    dose('cheek', false, 2, 3, 'on-label', '[EST] 2–3 sessions 4–6 weeks apart (practice; not in the reference). Cheek wrinkles are a US label indication (2023)'),
    dose('temple', false, 2, 3, 'off-label', '[EST] 2–3 sessions; not in the reference'),
  ],
  active: true,
};

/** A superficial chemical peel (glycolic acid). Not in §4; a series is practice [EST]. */
const PEEL: CatalogueProduct = {
  id: 'glycolic-peel',
  brand: 'Superficial glycolic peel',
  genericName: 'glycolic acid (superficial chemical peel)',
  treatmentClass: 'peel',
  unit: 'session',
  pricePerUnit: 95, // example
  typicalDurationMonths: 3, // [EST] a series then maintenance every few months
  minIntervalDays: 14, // [EST] superficial peels every 2–4 weeks
  downtimeDays: 5, // redness and flaking for several days
  components: [],
  zones: [
    dose('cheek', false, 3, 6, 'on-label', '[EST] a series of 3–6 superficial peels 2–4 weeks apart (practice; not in the reference); the whole face'),
    dose('neck', false, 3, 6, 'on-label', '[EST] as for the face'),
  ],
  active: true,
};

/** An energy device: IPL photorejuvenation. Not in §4 [EST]. */
const ENERGY: CatalogueProduct = {
  id: 'ipl-photofacial',
  brand: 'IPL photorejuvenation',
  genericName: 'intense pulsed light',
  treatmentClass: 'energy_device',
  unit: 'session',
  pricePerUnit: 180, // example
  typicalDurationMonths: 12, // [EST] yearly maintenance is common practice
  minIntervalDays: 21, // [EST] sessions 3–4 weeks apart
  downtimeDays: 2, // redness; pigment spots darken and flake over days
  components: [],
  zones: [
    dose('cheek', false, 3, 5, 'on-label', '[EST] 3–5 sessions 3–4 weeks apart (practice; not in the reference); the whole face'),
    dose('neck', false, 3, 5, 'on-label', '[EST] as for the face'),
  ],
  active: true,
};

/** Microneedling (collagen induction). Not in §4 [EST]. */
const MICRONEEDLING: CatalogueProduct = {
  id: 'microneedling',
  brand: 'Microneedling',
  genericName: 'collagen induction therapy (microneedling)',
  treatmentClass: 'microneedling',
  unit: 'session',
  pricePerUnit: 200, // example
  typicalDurationMonths: 6, // [EST]
  minIntervalDays: 28, // [EST] skin renews between sessions, about 4 weeks
  downtimeDays: 3, // redness for 2–3 days
  components: [], // serums applied with it are the clinic's choice and screened at the chair
  zones: [
    dose('cheek', false, 3, 6, 'on-label', '[EST] 3–6 sessions about 4 weeks apart (practice; not in the reference); the whole face'),
    dose('forehead', false, 3, 6, 'on-label', '[EST] as for the face'),
    dose('neck', false, 3, 6, 'on-label', '[EST] as for the face'),
  ],
  active: true,
};

/** The reference catalogue a new clinic starts from; toxins first (the planner prefers earlier products of a class). */
export const DEFAULT_CATALOGUE: TreatmentCatalogue = {
  currency: 'GBP',
  products: [BOTOX, DYSPORT, XEOMIN, LIP_HA, MIDFACE_HA, TEAR_TROUGH_HA, CHIN_JAW_HA, FOLDS_HA, SKIN_BOOSTER, BIOSTIMULATOR, PEEL, ENERGY, MICRONEEDLING],
};

export function productById(catalogue: TreatmentCatalogue, productId: string): CatalogueProduct | undefined {
  return catalogue.products.find((p) => p.id === productId);
}

export function zoneDoseFor(product: CatalogueProduct, zoneId: ZoneId): ZoneDose | undefined {
  return product.zones.find((z) => z.zoneId === zoneId);
}

/**
 * Off-label: the zone is not a labelled indication of the product, or the amount lies outside the catalogue's
 * range for a labelled zone (a dose beyond what the label and reference support is off-label use too).
 * Amounts are per side for per-side doses.
 */
export function isOffLabel(zoneDose: ZoneDose, amount: number): boolean {
  return zoneDose.label === 'off-label' || amount < zoneDose.min || amount > zoneDose.max;
}

/** How much a step of the dose is: whole toxin units, 0.1 mL of filler, whole sessions. */
export function doseStep(unit: DoseUnit): number {
  return unit === 'mL' ? 0.1 : 1;
}

const finite = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n);

function productProblems(p: CatalogueProduct): string[] {
  const problems: string[] = [];
  const name = `${p.id || '(no id)'}`;
  if (!p.id || !/^[a-z0-9][a-z0-9-]*$/.test(p.id)) problems.push(`${name}: the id must be lower-case letters, digits and hyphens.`);
  if (!p.brand?.trim()) problems.push(`${name}: the brand is missing.`);
  if (!(TREATMENT_CLASSES as readonly string[]).includes(p.treatmentClass)) problems.push(`${name}: unknown treatment class "${p.treatmentClass}".`);
  else if (!(DOSE_UNITS as readonly string[]).includes(p.unit)) problems.push(`${name}: unknown unit "${p.unit}".`);
  else if (!CLASS_UNITS[p.treatmentClass].includes(p.unit)) {
    problems.push(`${name}: unit mismatch: a ${p.treatmentClass.replace(/_/g, ' ')} is dosed in ${CLASS_UNITS[p.treatmentClass].join(' or ')}, not ${p.unit}.`);
  }
  if (!finite(p.pricePerUnit) || p.pricePerUnit < 0) problems.push(`${name}: the price must be zero or more.`);
  if (!finite(p.typicalDurationMonths) || p.typicalDurationMonths <= 0) problems.push(`${name}: the typical duration must be more than zero months.`);
  if (!finite(p.minIntervalDays) || p.minIntervalDays < 0) problems.push(`${name}: the minimum interval must be zero days or more.`);
  if (!finite(p.downtimeDays) || p.downtimeDays < 0) problems.push(`${name}: the downtime must be zero days or more.`);
  for (const c of p.components) if (!(PRODUCT_COMPONENTS as readonly string[]).includes(c)) problems.push(`${name}: unknown component "${c}".`);
  const seen = new Set<string>();
  for (const z of p.zones) {
    if (!(ZONE_IDS as readonly string[]).includes(z.zoneId)) {
      problems.push(`${name}: unknown zone "${z.zoneId}".`);
      continue;
    }
    if (seen.has(z.zoneId)) problems.push(`${name}: the zone ${z.zoneId} is listed twice.`);
    seen.add(z.zoneId);
    if (!finite(z.min) || !finite(z.max) || z.min <= 0) problems.push(`${name} ${z.zoneId}: the dose must be more than zero.`);
    else if (z.min > z.max) problems.push(`${name} ${z.zoneId}: the minimum dose (${z.min}) is above the maximum (${z.max}).`);
    if (z.perSide && !isPairedZone(z.zoneId)) problems.push(`${name} ${z.zoneId}: a per-side dose on a midline zone (it has no sides).`);
    if (!z.source?.trim()) problems.push(`${name} ${z.zoneId}: say where the dose comes from (source).`);
  }
  return problems;
}

/** What is wrong with a catalogue, in words a clinic manager can act on; empty when it is usable. */
export function validateCatalogue(catalogue: TreatmentCatalogue): string[] {
  const problems: string[] = [];
  if (!/^[A-Z]{3}$/.test(catalogue.currency)) problems.push(`The currency "${catalogue.currency}" is not a three-letter code such as GBP.`);
  const ids = new Set<string>();
  for (const p of catalogue.products) {
    if (ids.has(p.id)) problems.push(`Two products have the id "${p.id}".`);
    ids.add(p.id);
    problems.push(...productProblems(p));
  }
  return problems;
}
