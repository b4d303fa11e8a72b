import { DEFAULT_CATALOGUE, type FinalPlanItem, type TreatmentCatalogue } from '@contour/domain';
import { describe, expect, it } from 'vitest';
import { doseItem } from './simulations.js';

const item = (productId: string, productLabel: string, amount: number): FinalPlanItem => ({
  key: `glabella:centre:${productId}`,
  zoneId: 'glabella',
  side: 'centre',
  productId,
  productLabel,
  treatmentClass: 'neuromodulator',
  amount,
  unit: 'U',
  stage: 1,
  offLabel: false,
  cost: 0,
  origin: 'suggested',
});

describe('plan items as the renderer sees them', () => {
  it('converts toxin units explicitly by product, and scales by the intensity', () => {
    expect(doseItem(item('botox-cosmetic', 'Botox Cosmetic', 20), DEFAULT_CATALOGUE, 1)).toMatchObject({ amount: 20, onaEquivalentPerUnit: 1 });
    expect(doseItem(item('dysport', 'Dysport', 50), DEFAULT_CATALOGUE, 0.5)).toMatchObject({ amount: 25, onaEquivalentPerUnit: 0.4 });
  });

  it('refuses a toxin whose units have no known equivalence rather than treating them as another brand’s', () => {
    const catalogue: TreatmentCatalogue = {
      ...DEFAULT_CATALOGUE,
      products: [...DEFAULT_CATALOGUE.products, { ...DEFAULT_CATALOGUE.products[0]!, id: 'daxxify', brand: 'Daxxify', genericName: 'daxibotulinumtoxinA' }],
    };
    const result = doseItem(item('daxxify', 'Daxxify', 40), catalogue, 1);
    expect(result).toEqual({ unsupported: expect.stringMatching(/Daxxify units have no established equivalence/) });
  });
});
