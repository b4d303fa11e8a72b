import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROTOCOL } from '@contour/domain';
import { createTestClinic, createTestContour, type TestClinic, type TestContour } from '../test/harness.js';
import { protocolFor } from './photo-protocols.js';

describe('stored photo protocols', () => {
  let t: TestContour;
  let clinic: TestClinic;
  beforeAll(async () => {
    t = await createTestContour();
    clinic = await createTestClinic(t);
  });
  afterAll(async () => t.close());

  it('gives a protocol saved before a threshold existed that threshold’s default, and keeps the clinic’s own values', async () => {
    const { minFrownScore: _frown, minBrowRaiseScore: _brow, ...older } = DEFAULT_PROTOCOL.thresholds;
    const saved = { ...DEFAULT_PROTOCOL, name: 'Saved last year', thresholds: { ...older, minSharpness: 35 } };
    await t.services.db
      .insertInto('photo_protocol')
      .values({ organisation_id: clinic.organisationId, protocol: JSON.stringify(saved), updated_by: clinic.ownerId, updated_at: new Date() })
      .execute();
    const protocol = await protocolFor(t.services.db, clinic.organisationId);
    expect(protocol.name).toBe('Saved last year');
    expect(protocol.thresholds.minSharpness).toBe(35);
    expect(protocol.thresholds.minFrownScore).toBe(DEFAULT_PROTOCOL.thresholds.minFrownScore);
    const served = (await clinic.owner.get('/api/photo-protocol')).json();
    expect(served.thresholds).toMatchObject({ minSharpness: 35, minBrowRaiseScore: DEFAULT_PROTOCOL.thresholds.minBrowRaiseScore });
  });
});
