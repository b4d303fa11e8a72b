import { DEFAULT_CATALOGUE, type FinalPlanItem, type TreatmentCatalogue } from '@contour/domain';
import { describe, expect, it } from 'vitest';
import { doseItem, storedSteadyFace } from './simulations.js';

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

describe('steady landmarks stored with a photo’s analysis', () => {
  const points = Array.from({ length: 478 }, (_, i) => [i, 2 * i, 0.5]);
  const pose = { yaw: 1, pitch: -2, roll: 0.5 };

  it('are taken when well formed', () => {
    expect(storedSteadyFace({ box: [0, 0, 1, 1], landmarks: [], steady: { landmarks: points, pose } })).toEqual({ landmarks: points, pose });
  });

  it('are ignored when missing or malformed, so the render finds the face itself', () => {
    for (const stored of [null, {}, { steady: null }, { steady: { landmarks: points.slice(1), pose } }, { steady: { landmarks: [...points.slice(1), [1, 'x', 0]], pose } }, { steady: { landmarks: points, pose: { yaw: 1, pitch: null, roll: 0 } } }, { steady: { landmarks: points } }, 'text']) {
      expect(storedSteadyFace(stored), JSON.stringify(stored)?.slice(0, 60)).toBeNull();
    }
  });
});
