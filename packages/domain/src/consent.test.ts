import { describe, expect, it } from 'vitest';
import {
  CONSENT_TYPES,
  CONSENT_TYPE_LABELS,
  PURPOSES,
  PURPOSE_NAMES,
  consentsInForce,
  isInForce,
  mayWeDo,
  type ConsentRecord,
  type ConsentType,
  type Purpose,
} from './consent.js';

const NOW = new Date('2025-06-15T12:00:00.000Z');
const active = { archived: false, erased: false };
const ms = (date: Date, delta: number): Date => new Date(date.getTime() + delta);

function signed(type: ConsentType, signedAt: string | Date, extra: Partial<ConsentRecord> = {}): ConsentRecord {
  return { type, templateVersion: 1, signedAt: new Date(signedAt), withdrawnAt: null, validForMonths: null, ...extra };
}

/** One open-ended signature of every type, signed a year before NOW. */
const everything = (): ConsentRecord[] => CONSENT_TYPES.map((type) => signed(type, '2024-06-15T09:00:00Z'));

describe('mayWeDo: which consents each purpose needs', () => {
  it('covers exactly the six purposes with the documented requirements', () => {
    expect(PURPOSES).toEqual({
      capture_photos: ['clinical_photography'],
      analyse_photos: ['clinical_photography', 'ai_analysis'],
      simulate_outcome: ['clinical_photography', 'simulation'],
      treat: ['treatment'],
      use_images_in_marketing: ['clinical_photography', 'marketing_images'],
      send_marketing_messages: ['marketing_messages'],
    });
    expect([...PURPOSE_NAMES].sort()).toEqual(Object.keys(PURPOSES).sort());
  });

  it.each(PURPOSE_NAMES)('%s: with no consents, refuses and names every missing consent', (purpose) => {
    const decision = mayWeDo(purpose, active, [], NOW);
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect(decision.purpose).toBe(purpose);
    expect(decision.missing).toEqual([...PURPOSES[purpose]]);
    for (const type of PURPOSES[purpose]) expect(decision.reason).toContain(CONSENT_TYPE_LABELS[type].toLowerCase());
  });

  it.each(PURPOSE_NAMES)('%s: allowed with exactly the needed consents, based on them', (purpose) => {
    const needed: readonly ConsentType[] = PURPOSES[purpose];
    const history = needed.map((type) => signed(type, '2025-01-01T00:00:00Z'));
    const decision = mayWeDo(purpose, active, history, NOW);
    expect(decision).toEqual({ allowed: true, purpose, basedOn: history });
  });

  it.each(PURPOSE_NAMES)('%s: each single missing consent is named, and only that one', (purpose) => {
    const needed: readonly ConsentType[] = PURPOSES[purpose];
    for (const absent of needed) {
      // Everything else is signed, including consents this purpose does not need.
      const history = everything().filter((c) => c.type !== absent);
      const decision = mayWeDo(purpose, active, history, NOW);
      expect(decision.allowed, `${purpose} without ${absent}`).toBe(false);
      if (decision.allowed) continue;
      expect(decision.missing).toEqual([absent]);
      expect(decision.reason).toBe(`The patient has no consent in force for ${CONSENT_TYPE_LABELS[absent].toLowerCase()}.`);
      for (const other of needed.filter((t) => t !== absent)) {
        expect(decision.reason).not.toContain(CONSENT_TYPE_LABELS[other].toLowerCase());
      }
    }
  });

  it('a consent for something else never stands in for the one needed', () => {
    const allButTreatment = everything().filter((c) => c.type !== 'treatment');
    expect(mayWeDo('treat', active, allButTreatment, NOW).allowed).toBe(false);
    const onlyMarketingImages = [signed('marketing_images', '2025-01-01T00:00:00Z')];
    const decision = mayWeDo('use_images_in_marketing', active, onlyMarketingImages, NOW);
    expect(decision).toMatchObject({ allowed: false, missing: ['clinical_photography'] });
  });

  it('names two missing consents joined with "and"', () => {
    const decision = mayWeDo('analyse_photos', active, [], NOW);
    expect(decision).toMatchObject({
      allowed: false,
      reason: 'The patient has no consent in force for clinical photography and ai-assisted facial analysis.',
    });
  });
});

describe('mayWeDo: withdrawal', () => {
  const signedAt = '2025-01-10T10:00:00.000Z';
  const withdrawnAt = new Date('2025-05-01T08:30:00.000Z');
  const history = [signed('treatment', signedAt, { withdrawnAt })];

  it('counts before the moment of withdrawal', () => {
    expect(mayWeDo('treat', active, history, ms(withdrawnAt, -1)).allowed).toBe(true);
    expect(mayWeDo('treat', active, history, new Date('2025-02-01T00:00:00Z')).allowed).toBe(true);
  });

  it('no longer counts from the very moment it was withdrawn', () => {
    expect(mayWeDo('treat', active, history, withdrawnAt)).toMatchObject({ allowed: false, missing: ['treatment'] });
    expect(mayWeDo('treat', active, history, ms(withdrawnAt, 1)).allowed).toBe(false);
    expect(mayWeDo('treat', active, history, NOW).allowed).toBe(false);
  });

  it('withdrawing one consent refuses every purpose that needs it and no other', () => {
    const photoWithdrawn = everything().map((c) => (c.type === 'clinical_photography' ? { ...c, withdrawnAt } : c));
    for (const purpose of PURPOSE_NAMES) {
      const needsPhotography = (PURPOSES[purpose] as readonly ConsentType[]).includes('clinical_photography');
      const decision = mayWeDo(purpose, active, photoWithdrawn, NOW);
      expect(decision.allowed, purpose).toBe(!needsPhotography);
      if (!decision.allowed) expect(decision.missing).toEqual(['clinical_photography']);
    }
  });

  it('a later re-signature after withdrawal counts again, from its signing', () => {
    const resignedAt = new Date('2025-05-20T14:00:00.000Z');
    const again = [...history, signed('treatment', resignedAt, { templateVersion: 2 })];
    expect(mayWeDo('treat', active, again, ms(resignedAt, -1)).allowed).toBe(false);
    const decision = mayWeDo('treat', active, again, resignedAt);
    expect(decision.allowed).toBe(true);
    if (decision.allowed) expect(decision.basedOn).toEqual([again[1]]);
  });

  it('a re-signature that is itself withdrawn later stops counting too', () => {
    const again = [...history, signed('treatment', '2025-05-20T14:00:00Z', { withdrawnAt: new Date('2025-06-01T00:00:00Z') })];
    expect(mayWeDo('treat', active, again, NOW).allowed).toBe(false);
  });
});

describe('mayWeDo: expiry (validForMonths)', () => {
  const signedAt = new Date('2024-03-15T10:00:00.000Z');
  const expires = new Date('2025-03-15T10:00:00.000Z');
  const history = [signed('marketing_messages', signedAt, { validForMonths: 12 })];

  it('is in force just before it expires', () => {
    expect(mayWeDo('send_marketing_messages', active, history, ms(expires, -1)).allowed).toBe(true);
  });

  it('has expired at the expiry instant and after', () => {
    expect(mayWeDo('send_marketing_messages', active, history, expires)).toMatchObject({ allowed: false, missing: ['marketing_messages'] });
    expect(mayWeDo('send_marketing_messages', active, history, ms(expires, 1)).allowed).toBe(false);
  });

  it('a consent valid until withdrawn never expires', () => {
    const open = [signed('marketing_messages', signedAt)];
    expect(mayWeDo('send_marketing_messages', active, open, new Date('2074-03-15T10:00:00Z')).allowed).toBe(true);
  });

  it('counts whole calendar months across years and a leap day', () => {
    const sixMonths = signed('treatment', '2024-11-30T23:00:00Z', { validForMonths: 6 });
    expect(isInForce(sixMonths, new Date('2025-05-30T22:59:59.999Z'))).toBe(true);
    expect(isInForce(sixMonths, new Date('2025-05-30T23:00:00.000Z'))).toBe(false);
    const leapDay = signed('treatment', '2024-02-29T12:00:00Z', { validForMonths: 48 });
    expect(isInForce(leapDay, new Date('2028-02-29T11:59:59Z'))).toBe(true);
    expect(isInForce(leapDay, new Date('2028-02-29T12:00:00Z'))).toBe(false);
  });

  it('a signature on the 31st expires at the end of a shorter month, not days into the next one', () => {
    // Six months after 31 August is the end of February (as PostgreSQL's interval arithmetic, used by the
    // statistics, also counts): a consent must not stay in force into March.
    const august = signed('marketing_messages', '2024-08-31T10:00:00Z', { validForMonths: 6 });
    expect(isInForce(august, new Date('2025-02-28T09:59:59Z'))).toBe(true);
    expect(isInForce(august, new Date('2025-02-28T10:00:00Z'))).toBe(false);
    expect(isInForce(august, new Date('2025-03-02T00:00:00Z'))).toBe(false);
    const january = signed('marketing_messages', '2024-01-31T10:00:00Z', { validForMonths: 1 });
    expect(isInForce(january, new Date('2024-02-29T09:59:59Z'))).toBe(true);
    expect(isInForce(january, new Date('2024-02-29T10:00:00Z'))).toBe(false);
    const leap = signed('marketing_messages', '2024-02-29T10:00:00Z', { validForMonths: 12 });
    expect(isInForce(leap, new Date('2025-02-28T09:59:59Z'))).toBe(true);
    expect(isInForce(leap, new Date('2025-02-28T10:00:00Z'))).toBe(false);
  });

  it('an expired signature renewed by a new one counts again', () => {
    const renewed = [...history, signed('marketing_messages', '2025-04-01T00:00:00Z', { validForMonths: 12 })];
    expect(mayWeDo('send_marketing_messages', active, renewed, NOW).allowed).toBe(true);
  });
});

describe('mayWeDo: signatures in the future', () => {
  it('a signature dated after now is not in force yet', () => {
    const future = [signed('treatment', ms(NOW, 1))];
    expect(mayWeDo('treat', active, future, NOW)).toMatchObject({ allowed: false, missing: ['treatment'] });
    expect(mayWeDo('treat', active, future, ms(NOW, 1)).allowed).toBe(true);
  });

  it('a signature dated exactly now is in force', () => {
    expect(mayWeDo('treat', active, [signed('treatment', NOW)], NOW).allowed).toBe(true);
  });
});

describe('mayWeDo: archived and erased patients', () => {
  it.each(PURPOSE_NAMES)('%s: an archived patient is refused with a reason, whatever they signed', (purpose) => {
    const decision = mayWeDo(purpose, { archived: true, erased: false }, everything(), NOW);
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect(decision.reason).toMatch(/archived/i);
    expect(decision.missing).toEqual([...PURPOSES[purpose]]);
  });

  it.each(PURPOSE_NAMES)('%s: an erased patient is refused with a reason, whatever they signed', (purpose) => {
    const decision = mayWeDo(purpose, { archived: false, erased: true }, everything(), NOW);
    expect(decision.allowed).toBe(false);
    if (decision.allowed) return;
    expect(decision.reason).toMatch(/erased/i);
    expect(decision.missing).toEqual([...PURPOSES[purpose]]);
  });

  it('erasure is the reason given when the patient is both archived and erased', () => {
    const decision = mayWeDo('treat', { archived: true, erased: true }, everything(), NOW);
    expect(decision).toMatchObject({ allowed: false, reason: 'This patient record has been erased.' });
  });
});

describe('consentsInForce', () => {
  it('picks the newest signature in force of each type, whatever the order of the history', () => {
    const old = signed('clinical_photography', '2023-01-01T00:00:00Z', { templateVersion: 1 });
    const middle = signed('clinical_photography', '2024-01-01T00:00:00Z', { templateVersion: 2 });
    const newest = signed('clinical_photography', '2025-01-01T00:00:00Z', { templateVersion: 3 });
    const treatment = signed('treatment', '2024-05-05T00:00:00Z');
    for (const history of [[old, middle, newest, treatment], [newest, treatment, old, middle], [treatment, middle, newest, old]]) {
      const inForce = consentsInForce(history, NOW);
      expect([...inForce.keys()].sort()).toEqual(['clinical_photography', 'treatment']);
      expect(inForce.get('clinical_photography')).toBe(newest);
      expect(inForce.get('treatment')).toBe(treatment);
    }
  });

  it('skips newer signatures that are withdrawn, expired or not yet signed', () => {
    const kept = signed('ai_analysis', '2023-01-01T00:00:00Z', { templateVersion: 1 });
    const history = [
      kept,
      signed('ai_analysis', '2024-01-01T00:00:00Z', { templateVersion: 2, validForMonths: 6 }),
      signed('ai_analysis', '2025-01-01T00:00:00Z', { templateVersion: 3, withdrawnAt: new Date('2025-02-01T00:00:00Z') }),
      signed('ai_analysis', '2025-07-01T00:00:00Z', { templateVersion: 4 }),
    ];
    expect(consentsInForce(history, NOW).get('ai_analysis')).toBe(kept);
  });

  it('is empty when nothing is in force', () => {
    expect(consentsInForce([], NOW).size).toBe(0);
    const history = [signed('simulation', '2025-01-01T00:00:00Z', { withdrawnAt: new Date('2025-01-02T00:00:00Z') })];
    expect(consentsInForce(history, NOW).size).toBe(0);
  });

  it('mayWeDo bases its decision on the newest signature', () => {
    const older = signed('treatment', '2024-01-01T00:00:00Z', { templateVersion: 1 });
    const newer = signed('treatment', '2025-01-01T00:00:00Z', { templateVersion: 2 });
    const decision = mayWeDo('treat', active, [older, newer], NOW);
    expect(decision.allowed && decision.basedOn).toEqual([newer]);
  });

  it('does not modify the history it is given', () => {
    const history = everything();
    const copy = structuredClone(history);
    consentsInForce(history, NOW);
    for (const purpose of PURPOSE_NAMES as Purpose[]) mayWeDo(purpose, active, history, NOW);
    expect(history).toEqual(copy);
  });
});
