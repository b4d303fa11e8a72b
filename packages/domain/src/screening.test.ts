import { describe, expect, it } from 'vitest';
import { emptyMedicalHistory, type MedicalHistory } from './patient.js';
import { addDaysIso, daysBetweenIso, isIsoDate, mentions, SCREENING_RULES, screenItem, toxinCeiling, zonesNamed } from './screening.js';
import { DEFAULT_CATALOGUE, productById } from './treatment-catalogue.js';
import type { CatalogueProduct, PlanPatient } from './treatment-plan.js';

const TODAY = '2026-11-30';
const product = (id: string): CatalogueProduct => productById(DEFAULT_CATALOGUE, id)!;

function patient(history: Partial<MedicalHistory> = {}, extra: Partial<PlanPatient> = {}): PlanPatient {
  const base = emptyMedicalHistory();
  return {
    age: 40,
    sex: 'female',
    medicalHistory: { ...base, ...history, allergies: { ...base.allergies, ...history.allergies } },
    lastTreatments: [],
    infectedZones: [],
    ...extra,
  };
}

const blockRules = (p: PlanPatient, id: string, zone: Parameters<typeof screenItem>[2] = 'cheek'): string[] => {
  const prod = product(id);
  const z = prod.zones.some((d) => d.zoneId === zone) ? zone : prod.zones[0]!.zoneId;
  return screenItem(p, prod, z, TODAY).blocks.map((b) => b.rule);
};
const cautionRules = (p: PlanPatient, id: string, zone: Parameters<typeof screenItem>[2] = 'cheek'): string[] => {
  const prod = product(id);
  const z = prod.zones.some((d) => d.zoneId === zone) ? zone : prod.zones[0]!.zoneId;
  return screenItem(p, prod, z, TODAY).cautions.map((b) => b.rule);
};
const ALL_IDS = DEFAULT_CATALOGUE.products.map((p) => p.id);

describe('the screening rules', () => {
  it('have unique ids and plain-language descriptions', () => {
    const ids = SCREENING_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of SCREENING_RULES) expect(r.description.length).toBeGreaterThan(40);
  });

  it('screen nothing out of a healthy adult with nothing recorded', () => {
    for (const id of ALL_IDS) {
      expect(blockRules(patient(), id)).toEqual([]);
      expect(cautionRules(patient(), id)).toEqual([]);
    }
  });
});

describe('contraindications block', () => {
  it('under 18: everything (UK law for toxin and filler; the clinic for all aesthetics); 18 is allowed', () => {
    for (const id of ALL_IDS) expect(blockRules(patient({}, { age: 17 }), id)).toContain('under-18');
    expect(blockRules(patient({}, { age: 18 }), 'volbella-lips', 'upper_lip')).toEqual([]);
  });

  it('pregnancy: every class', () => {
    for (const id of ALL_IDS) expect(blockRules(patient({ pregnant: true }), id)).toContain('pregnancy');
  });

  it('breastfeeding: injectables and peels blocked; light and needling only cautioned', () => {
    const p = patient({ breastfeeding: true });
    for (const id of ['botox-cosmetic', 'volbella-lips', 'profhilo', 'sculptra', 'glycolic-peel']) expect(blockRules(p, id)).toContain('breastfeeding');
    for (const id of ['ipl-photofacial', 'microneedling']) {
      expect(blockRules(p, id)).toEqual([]);
      expect(cautionRules(p, id)).toContain('breastfeeding-skin');
    }
  });

  it('lidocaine allergy: fillers with lidocaine, not Profhilo or toxin', () => {
    const p = patient({ allergies: { lidocaine: true, hyaluronicAcid: false, albumin: false, other: '' } });
    expect(blockRules(p, 'volbella-lips', 'upper_lip')).toEqual(['allergy-lidocaine']);
    expect(blockRules(p, 'profhilo')).toEqual([]);
    expect(blockRules(p, 'botox-cosmetic', 'glabella')).toEqual([]);
  });

  it('hyaluronic-acid allergy: every HA filler and the skin booster', () => {
    const p = patient({ allergies: { lidocaine: false, hyaluronicAcid: true, albumin: false, other: '' } });
    for (const id of ['volbella-lips', 'voluma-midface', 'eyelight-tear-trough', 'volux-chin-jaw', 'ultra-plus-folds', 'profhilo']) {
      expect(blockRules(p, id)).toContain('allergy-hyaluronic-acid');
    }
    expect(blockRules(p, 'sculptra')).toEqual([]);
  });

  it('albumin allergy: Botox, Dysport and Xeomin alike', () => {
    const p = patient({ allergies: { lidocaine: false, hyaluronicAcid: false, albumin: true, other: '' } });
    for (const id of ['botox-cosmetic', 'dysport', 'xeomin']) expect(blockRules(p, id, 'glabella')).toEqual(['allergy-albumin']);
  });

  it('other allergies in free text: the brand, the active substance, an excipient, or a word for the whole class', () => {
    const other = (text: string) => patient({ allergies: { lidocaine: false, hyaluronicAcid: false, albumin: false, other: text } });
    expect(blockRules(other('Dysport (rash 2019)'), 'dysport', 'glabella')).toEqual(['allergy-other']);
    expect(blockRules(other('Dysport (rash 2019)'), 'botox-cosmetic', 'glabella')).toEqual([]);
    expect(blockRules(other("cow's milk protein"), 'dysport', 'glabella')).toEqual(['allergy-other']);
    expect(blockRules(other("cow's milk protein"), 'xeomin', 'glabella')).toEqual([]);
    expect(blockRules(other('BOTOX'), 'xeomin', 'glabella')).toEqual(['allergy-other']);
    expect(blockRules(other('lignocaine'), 'volux-chin-jaw', 'chin')).toEqual(['allergy-other']);
    expect(blockRules(other('poly-L-lactic acid'), 'sculptra')).toEqual(['allergy-other']);
    expect(blockRules(other('penicillin'), 'volux-chin-jaw', 'chin')).toEqual([]);
    expect(blockRules(other('none'), 'dysport', 'glabella')).toEqual([]);
    expect(screenItem(other('Dysport'), product('dysport'), 'glabella', TODAY).blocks[0]!.text).toMatch(/Recorded allergy "Dysport"/);
  });

  it('neuromuscular disorder: toxins only', () => {
    const p = patient({ neuromuscularDisorder: true });
    for (const id of ['botox-cosmetic', 'dysport', 'xeomin']) expect(blockRules(p, id, 'glabella')).toEqual(['neuromuscular-disorder']);
    expect(blockRules(p, 'voluma-midface')).toEqual([]);
  });

  it('infection at the site: that zone only', () => {
    const p = patient({}, { infectedZones: ['glabella'] });
    expect(blockRules(p, 'botox-cosmetic', 'glabella')).toEqual(['infection-at-site']);
    expect(blockRules(p, 'botox-cosmetic', 'crows_feet')).toEqual([]);
  });

  it('an active skin infection in the history: every zone, every class', () => {
    const p = patient({ activeSkinInfection: true });
    for (const id of ALL_IDS) expect(blockRules(p, id)).toContain('active-skin-infection');
  });

  it('a toxin within 90 days of the last toxin of any brand, with the date it becomes possible; allowed from then on', () => {
    const last = (date: string) => patient({}, { lastTreatments: [{ productId: 'dysport', treatmentClass: 'neuromodulator', date, amount: 50, unit: 'U' }] });
    const early = screenItem(last('2026-10-01'), product('botox-cosmetic'), 'glabella', TODAY);
    expect(early.blocks).toEqual([
      { rule: 'treatment-interval', availableFrom: '2026-12-30', text: expect.stringMatching(/Last toxin on 2026-10-01: at least 90 days .* possible from 2026-12-30/) },
    ]);
    expect(blockRules(last('2026-09-01'), 'botox-cosmetic', 'glabella')).toEqual([]); // exactly 90 days
    expect(blockRules(last('2026-06-01'), 'botox-cosmetic', 'glabella')).toEqual([]);
    expect(blockRules(last('2026-09-02'), 'botox-cosmetic', 'glabella')).toEqual(['treatment-interval']); // 89 days
  });

  it('other products: the interval since the same product; an unreadable date blocks rather than being ignored', () => {
    const p = patient({}, {
      lastTreatments: [
        { productId: 'profhilo', treatmentClass: 'skin_booster', date: '2026-11-16', amount: 1, unit: 'session' },
        { productId: 'voluma-midface', treatmentClass: 'ha_filler', date: 'last spring', amount: 1, unit: 'mL' },
      ],
    });
    expect(screenItem(p, product('profhilo'), 'cheek', TODAY).blocks[0]).toMatchObject({ rule: 'treatment-interval', availableFrom: '2026-12-14' });
    expect(blockRules(p, 'volbella-lips', 'upper_lip')).toEqual([]);
    expect(screenItem(p, product('voluma-midface'), 'cheek', TODAY).blocks[0]!.text).toMatch(/cannot be read/);
  });
});

describe('cautions keep the item and warn', () => {
  it('anticoagulants (ticked or named in the medicines): injectables and needling, not peels', () => {
    expect(cautionRules(patient({ anticoagulants: true }), 'botox-cosmetic', 'glabella')).toEqual(['anticoagulants']);
    expect(cautionRules(patient({ medications: 'Apixaban 5 mg twice daily' }), 'volbella-lips', 'upper_lip')).toEqual(['anticoagulants']);
    expect(cautionRules(patient({ anticoagulants: true }), 'microneedling')).toEqual(['anticoagulants']);
    expect(cautionRules(patient({ anticoagulants: true }), 'glycolic-peel')).toEqual([]);
    expect(blockRules(patient({ anticoagulants: true }), 'volbella-lips', 'upper_lip')).toEqual([]);
  });

  it('autoimmune disease: fillers, boosters and resurfacing, not toxin', () => {
    const p = patient({ autoimmuneDisease: true });
    expect(cautionRules(p, 'voluma-midface')).toEqual(['autoimmune-disease']);
    expect(cautionRules(p, 'glycolic-peel')).toEqual(['autoimmune-disease']);
    expect(cautionRules(p, 'botox-cosmetic', 'glabella')).toEqual([]);
  });

  it('keloid history: needling, energy and peels', () => {
    const p = patient({ keloidHistory: true });
    for (const id of ['microneedling', 'ipl-photofacial', 'glycolic-peel']) expect(cautionRules(p, id)).toEqual(['keloid-history']);
    expect(cautionRules(p, 'voluma-midface')).toEqual([]);
  });

  it('prior permanent filler: in the zones the note names (synonyms, plurals); everywhere when the site is unclear', () => {
    const lips = patient({ priorPermanentFiller: 'Silicone in the lips, 2010' });
    expect(cautionRules(lips, 'volbella-lips', 'upper_lip')).toEqual(['prior-permanent-filler']);
    expect(cautionRules(lips, 'volbella-lips', 'lower_lip')).toEqual(['prior-permanent-filler']);
    expect(cautionRules(lips, 'voluma-midface', 'cheek')).toEqual([]);
    expect(cautionRules(lips, 'botox-cosmetic', 'perioral')).toEqual([]); // toxin does not meet the filler
    const smile = patient({ priorPermanentFiller: 'Bio-Alcamid in cheeks and smile lines' });
    expect(cautionRules(smile, 'voluma-midface', 'cheek')).toEqual(['prior-permanent-filler']);
    expect(cautionRules(smile, 'ultra-plus-folds', 'nasolabial')).toEqual(['prior-permanent-filler']);
    expect(cautionRules(smile, 'volux-chin-jaw', 'chin')).toEqual([]);
    const unclear = patient({ priorPermanentFiller: 'yes, abroad, years ago' });
    const hit = screenItem(unclear, product('volux-chin-jaw'), 'chin', TODAY).cautions[0]!;
    expect(hit).toMatchObject({ rule: 'prior-permanent-filler', text: expect.stringMatching(/site not clear/) });
    expect(cautionRules(patient({ priorPermanentFiller: 'none' }), 'volux-chin-jaw', 'chin')).toEqual([]);
  });

  it('isotretinoin in the medicines: resurfacing', () => {
    expect(cautionRules(patient({ medications: 'Roaccutane until March' }), 'microneedling')).toEqual(['isotretinoin']);
    expect(cautionRules(patient({ medications: 'Roaccutane until March' }), 'voluma-midface')).toEqual([]);
  });

  it('no date of birth: confirm the age', () => {
    expect(cautionRules(patient({}, { age: null }), 'profhilo')).toEqual(['age-unconfirmed']);
  });
});

describe('helpers', () => {
  it('read zones from free text', () => {
    expect(zonesNamed('Aquamid: cheeks and smile lines')).toEqual(['cheek', 'nasolabial']);
    expect(zonesNamed('under-eye and jawline')).toEqual(['tear_trough', 'jawline']);
    expect(zonesNamed("crow’s feet")).toEqual(['crows_feet']);
    expect(mentions('nasolabial', 'nasal')).toBe(false);
  });

  it('count days on ISO dates', () => {
    expect(addDaysIso('2026-11-30', 90)).toBe('2027-02-28');
    expect(daysBetweenIso('2026-11-30', '2027-02-28')).toBe(90);
    expect(isIsoDate('2026-02-30')).toBe(false);
    expect(isIsoDate('2026-02-28')).toBe(true);
  });

  it('derive each toxin\'s ceiling from its own label, never adding brands', () => {
    expect(toxinCeiling(product('botox-cosmetic'), { toxinCeilingPerVisit: 100 })).toBe(100);
    expect(toxinCeiling(product('xeomin'), { toxinCeilingPerVisit: 100 })).toBe(100);
    expect(toxinCeiling(product('dysport'), { toxinCeilingPerVisit: 100 })).toBe(250);
    expect(toxinCeiling(product('dysport'), { toxinCeilingPerVisit: 80 })).toBe(200);
    const unlabelled = { ...product('botox-cosmetic'), zones: product('botox-cosmetic').zones.filter((z) => z.zoneId !== 'glabella') };
    expect(toxinCeiling(unlabelled, { toxinCeilingPerVisit: 100 })).toBe(100);
  });
});
