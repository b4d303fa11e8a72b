import { describe, expect, it } from 'vitest';
import { DEFAULT_CATALOGUE, isOffLabel, productById, validateCatalogue, zoneDoseFor } from './treatment-catalogue.js';
import type { CatalogueProduct, TreatmentCatalogue } from './treatment-plan.js';

const withProduct = (change: (p: CatalogueProduct) => CatalogueProduct): TreatmentCatalogue => ({
  ...DEFAULT_CATALOGUE,
  products: [change(structuredClone(DEFAULT_CATALOGUE.products[0] as CatalogueProduct)), ...DEFAULT_CATALOGUE.products.slice(1)],
});

describe('the default catalogue', () => {
  it('is valid, in GBP, and every zone dose names its source', () => {
    expect(validateCatalogue(DEFAULT_CATALOGUE)).toEqual([]);
    expect(DEFAULT_CATALOGUE.currency).toBe('GBP');
    for (const p of DEFAULT_CATALOGUE.products) for (const z of p.zones) expect(z.source.length, `${p.id} ${z.zoneId}`).toBeGreaterThan(10);
  });

  it('holds the labelled toxin doses of the reference (§4.1) in each product\'s own units', () => {
    const botox = productById(DEFAULT_CATALOGUE, 'botox-cosmetic')!;
    expect(zoneDoseFor(botox, 'glabella')).toMatchObject({ min: 20, max: 20, label: 'on-label' });
    expect(zoneDoseFor(botox, 'crows_feet')).toMatchObject({ perSide: true, min: 8, max: 16, label: 'on-label' });
    expect(zoneDoseFor(botox, 'neck')).toMatchObject({ min: 26, max: 36, label: 'on-label' });
    expect(zoneDoseFor(botox, 'jawline')).toMatchObject({ perSide: true, min: 20, max: 40, label: 'off-label' });
    expect(botox).toMatchObject({ unit: 'U', minIntervalDays: 90, components: ['albumin'] });
    expect(zoneDoseFor(productById(DEFAULT_CATALOGUE, 'dysport')!, 'glabella')).toMatchObject({ min: 50, max: 50, label: 'on-label' });
    // Incobotulinum has no complexing proteins but does contain human albumin.
    expect(productById(DEFAULT_CATALOGUE, 'xeomin')!.components).toContain('albumin');
  });

  it('has every class the planner suggests from, and fillers carry lidocaine and hyaluronic acid', () => {
    const classes = new Set(DEFAULT_CATALOGUE.products.map((p) => p.treatmentClass));
    expect([...classes].sort()).toEqual(['biostimulator', 'energy_device', 'ha_filler', 'microneedling', 'neuromodulator', 'peel', 'skin_booster']);
    for (const p of DEFAULT_CATALOGUE.products.filter((x) => x.treatmentClass === 'ha_filler')) expect(p.components.sort()).toEqual(['hyaluronicAcid', 'lidocaine']);
    expect(productById(DEFAULT_CATALOGUE, 'profhilo')!.components).toEqual(['hyaluronicAcid']);
  });

  it('finds products by id', () => {
    expect(productById(DEFAULT_CATALOGUE, 'profhilo')?.brand).toBe('Profhilo');
    expect(productById(DEFAULT_CATALOGUE, 'nope')).toBeUndefined();
  });
});

describe('validateCatalogue', () => {
  it('names a minimum above the maximum, an unknown zone, a negative price and a unit mismatch', () => {
    const broken = withProduct((p) => ({
      ...p,
      unit: 'mL',
      pricePerUnit: -1,
      zones: [{ ...(p.zones[0] as CatalogueProduct['zones'][number]), min: 30, max: 20 }, { ...(p.zones[1] as CatalogueProduct['zones'][number]), zoneId: 'elbow' as never }],
    }));
    const problems = validateCatalogue(broken).join('\n');
    expect(problems).toMatch(/botox-cosmetic: unit mismatch: a neuromodulator is dosed in U, not mL/);
    expect(problems).toMatch(/price must be zero or more/);
    expect(problems).toMatch(/glabella: the minimum dose \(30\) is above the maximum \(20\)/);
    expect(problems).toMatch(/unknown zone "elbow"/);
  });

  it('names duplicate ids, a zone listed twice, a per-side dose on a midline zone and a bad currency', () => {
    const glabella = DEFAULT_CATALOGUE.products[0]!.zones[0]!;
    const catalogue: TreatmentCatalogue = {
      currency: 'pounds',
      products: [
        { ...DEFAULT_CATALOGUE.products[0]!, zones: [glabella, { ...glabella, perSide: true }] },
        DEFAULT_CATALOGUE.products[0]!,
      ],
    };
    const problems = validateCatalogue(catalogue).join('\n');
    expect(problems).toMatch(/Two products have the id "botox-cosmetic"/);
    expect(problems).toMatch(/the zone glabella is listed twice/);
    expect(problems).toMatch(/per-side dose on a midline zone/);
    expect(problems).toMatch(/currency "pounds"/);
  });
});

describe('isOffLabel', () => {
  it('is off-label for an off-label zone, or outside the range of a labelled zone', () => {
    const botox = productById(DEFAULT_CATALOGUE, 'botox-cosmetic')!;
    expect(isOffLabel(zoneDoseFor(botox, 'glabella')!, 20)).toBe(false);
    expect(isOffLabel(zoneDoseFor(botox, 'glabella')!, 30)).toBe(true);
    expect(isOffLabel(zoneDoseFor(botox, 'perioral')!, 5)).toBe(true);
  });
});
