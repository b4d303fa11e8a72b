import { describe, expect, it } from 'vitest';
import { ZONE_IDS } from './face-analysis.js';
import { DEFAULT_SEVERITY_TABLE, estimateSeverity, interpolateAnchors, type SeverityTable } from './severity.js';

describe('severity calibration table', () => {
  it('interpolates piecewise-linearly and extends the end slopes', () => {
    const anchors: [number, number][] = [[1, 0.5], [2, 2], [3, 3.5]];
    expect(interpolateAnchors(anchors, 1)).toBe(0.5);
    expect(interpolateAnchors(anchors, 1.5)).toBeCloseTo(1.25);
    expect(interpolateAnchors(anchors, 2.5)).toBeCloseTo(2.75);
    expect(interpolateAnchors(anchors, 0.5)).toBeCloseTo(-0.25);
    expect(interpolateAnchors(anchors, 3.5)).toBeCloseTo(4.25);
  });

  it('maps the London 5th–95th percentile spread onto 0.5–3.5, clamped to 0–4, with confidence lower at the ends', () => {
    const [p5, p95] = DEFAULT_SEVERITY_TABLE.glabella!.indicators[0]!.anchors.map((a) => a[0]) as [number, number];
    const mid = estimateSeverity('glabella', { lines: (p5 + p95) / 2 });
    expect(mid.severity).toBeCloseTo(2, 1);
    expect(mid.scale).toBe('Glabellar lines, AI photo estimate, 0–4');
    const low = estimateSeverity('glabella', { lines: p5 });
    const far = estimateSeverity('glabella', { lines: p95 + 10 * (p95 - p5) });
    expect(low.severity).toBeCloseTo(0.5, 1);
    expect(far.severity).toBe(4);
    expect(low.confidence).toBeLessThan(mid.confidence);
    expect(far.confidence).toBeLessThan(low.confidence);
  });

  it('lowers confidence for small zones and for another view or expression than the calibration', () => {
    const lines = DEFAULT_SEVERITY_TABLE.crows_feet!.indicators[0]!.anchors[0]![0] * 1.5;
    const base = estimateSeverity('crows_feet', { lines }, DEFAULT_SEVERITY_TABLE, { pixels: 1e6, view: 'frontal', expression: 'rest' });
    const small = estimateSeverity('crows_feet', { lines }, DEFAULT_SEVERITY_TABLE, { pixels: 50, view: 'frontal', expression: 'rest' });
    const smiling = estimateSeverity('crows_feet', { lines }, DEFAULT_SEVERITY_TABLE, { pixels: 1e6, view: 'smile', expression: 'dynamic' });
    expect(small.severity).toBe(base.severity);
    expect(small.confidence).toBeLessThan(base.confidence / 2);
    expect(smiling.confidence).toBeLessThan(base.confidence / 2);
  });

  it('returns null for zones without a calibrated indicator, and for missing indicators', () => {
    expect(estimateSeverity('nose', { lines: 3 })).toMatchObject({ severity: null, confidence: 0, scale: null });
    expect(estimateSeverity('tear_trough', { lines: 3 })).toMatchObject({ severity: null, confidence: 0 });
  });

  it('combines weighted indicators and labels nasolabial folds with the WSRS note', () => {
    const nlf = DEFAULT_SEVERITY_TABLE.nasolabial!;
    const both = estimateSeverity('nasolabial', {
      shadow: nlf.indicators[0]!.anchors[1]![0],
      lines: nlf.indicators[1]!.anchors[0]![0],
    });
    expect(both.severity).toBeCloseTo(0.6 * 3.5 + 0.4 * 0.5, 1);
    expect(both.note).toMatch(/WSRS is 1–5/);
    // A missing indicator still gives an estimate, with less confidence.
    const shadowOnly = estimateSeverity('nasolabial', { shadow: nlf.indicators[0]!.anchors[1]![0] });
    expect(shadowOnly.severity).toBeCloseTo(3.5, 1);
    expect(shadowOnly.confidence).toBeLessThan(both.confidence);
  });

  it('takes a practice’s own table in place of the default', () => {
    const own: SeverityTable = {
      glabella: {
        scale: 'Glabellar lines, clinic-fitted, 0–4',
        calibratedOn: { view: 'frontal', expression: 'rest', source: 'our clinicians, 2025' },
        indicators: [{ indicator: 'lines', weight: 1, anchors: [[0, 0], [10, 4]] }],
        minPixels: 1,
      },
    };
    expect(estimateSeverity('glabella', { lines: 5 }, own)).toMatchObject({ severity: 2, scale: 'Glabellar lines, clinic-fitted, 0–4' });
  });

  it('has only known zones, ascending anchors, weights adding to 1 and "AI photo estimate" in every label', () => {
    for (const [zone, entry] of Object.entries(DEFAULT_SEVERITY_TABLE)) {
      expect(ZONE_IDS).toContain(zone);
      expect(entry.scale).toMatch(/AI photo estimate, 0–4$/);
      expect(entry.indicators.reduce((a, c) => a + c.weight, 0)).toBeCloseTo(1);
      for (const c of entry.indicators) {
        for (let i = 1; i < c.anchors.length; i++) expect(c.anchors[i]![0]).toBeGreaterThan(c.anchors[i - 1]![0]);
      }
    }
  });
});
