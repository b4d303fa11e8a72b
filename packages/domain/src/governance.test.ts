import { describe, expect, it } from 'vitest';
import { decisionShares, normaliseReason, type DecisionRow } from './governance.js';

const row = (decision: DecisionRow['decision'], extra: Partial<DecisionRow> = {}): DecisionRow => ({
  decision,
  zoneId: 'glabella',
  treatmentClass: 'neuromodulator',
  productId: 'botox-cosmetic',
  clinicianId: 'c1',
  clinicianName: 'Dr Ada Shaw',
  reason: null,
  ...extra,
});

describe('decisionShares', () => {
  const rows: DecisionRow[] = [
    row('accepted'),
    row('accepted', { zoneId: 'upper_lip', treatmentClass: 'ha_filler', productId: 'volbella-lips' }),
    row('modified', { reason: 'Lower dose: first treatment.' }),
    row('modified', { reason: 'lower dose:  first treatment', clinicianId: 'c2', clinicianName: 'Mr Ben Okafor' }),
    row('rejected', { zoneId: 'upper_lip', treatmentClass: 'ha_filler', productId: 'volbella-lips', reason: 'Patient declined' }),
    row('rejected', { zoneId: 'upper_lip', treatmentClass: 'ha_filler', productId: 'volbella-lips', reason: 'patient declined.', clinicianId: 'c2', clinicianName: 'Mr Ben Okafor' }),
    row('rejected', { reason: 'Cost' }),
    row('added', { zoneId: 'cheek', treatmentClass: 'ha_filler', productId: 'voluma-midface', reason: 'Midface support' }),
  ];

  it('gives shares of the suggestions overall, with added items counted beside them', () => {
    expect(decisionShares(rows).overall).toEqual({
      suggested: 7,
      accepted: 2,
      modified: 2,
      rejected: 3,
      added: 1,
      acceptedShare: 0.286,
      modifiedShare: 0.286,
      rejectedShare: 0.429,
    });
  });

  it('breaks them down by zone, treatment class and clinician', () => {
    const shares = decisionShares(rows);
    expect(shares.byZone.map((z) => [z.zoneId, z.suggested, z.added])).toEqual([
      ['cheek', 0, 1],
      ['glabella', 4, 0],
      ['upper_lip', 3, 0],
    ]);
    expect(shares.byZone[0]!.acceptedShare).toBeNull();
    expect(shares.byTreatmentClass.map((c) => [c.treatmentClass, c.accepted, c.modified, c.rejected])).toEqual([
      ['ha_filler', 1, 0, 2],
      ['neuromodulator', 1, 2, 1],
    ]);
    expect(shares.byClinician.map((c) => [c.clinicianId, c.clinicianName, c.suggested, c.rejectedShare])).toEqual([
      ['c1', 'Dr Ada Shaw', 5, 0.4],
      ['c2', 'Mr Ben Okafor', 2, 0.5],
    ]);
  });

  it('counts the top reasons, normalised, most common first', () => {
    const shares = decisionShares(rows);
    expect(shares.topRejectionReasons).toEqual([
      { reason: 'patient declined', count: 2 },
      { reason: 'cost', count: 1 },
    ]);
    expect(shares.topModificationReasons).toEqual([{ reason: 'lower dose: first treatment', count: 2 }]);
    expect(decisionShares(rows, 1).topRejectionReasons).toHaveLength(1);
  });

  it('has no shares when nothing was decided', () => {
    expect(decisionShares([])).toEqual({
      overall: { suggested: 0, accepted: 0, modified: 0, rejected: 0, added: 0, acceptedShare: null, modifiedShare: null, rejectedShare: null },
      byZone: [],
      byTreatmentClass: [],
      byClinician: [],
      topRejectionReasons: [],
      topModificationReasons: [],
    });
  });

  it('normalises reasons', () => {
    expect(normaliseReason('  Patient   DECLINED. ')).toBe('patient declined');
  });
});
