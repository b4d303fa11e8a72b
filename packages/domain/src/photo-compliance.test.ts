import { describe, expect, it } from 'vitest';
import { isSessionComplete, monthsEnding, photoCompliance } from './photo-compliance.js';

describe('isSessionComplete', () => {
  it('needs a passing photo for every required view', () => {
    expect(isSessionComplete(['frontal', 'smile'], ['smile', 'frontal', 'frown'])).toBe(true);
    expect(isSessionComplete(['frontal', 'smile'], ['frontal'])).toBe(false);
    expect(isSessionComplete([], [])).toBe(true);
  });
});

describe('monthsEnding', () => {
  it('lists calendar months oldest first, across a year boundary', () => {
    expect(monthsEnding(new Date('2025-02-14T10:00:00Z'), 4)).toEqual(['2024-11', '2024-12', '2025-01', '2025-02']);
    expect(monthsEnding(new Date('2025-03-31T23:00:00Z'), 1)).toEqual(['2025-03']);
  });
});

describe('photoCompliance', () => {
  const required = ['frontal', 'smile'];
  const months = ['2025-01', '2025-02', '2025-03'];

  it('counts patients, not sessions, and a patient is compliant with any complete session that month', () => {
    const result = photoCompliance(
      [
        { month: '2025-01', patientId: 'a', sessionId: 's1', passingViews: ['frontal', 'smile'] },
        { month: '2025-01', patientId: 'b', sessionId: 's2', passingViews: ['frontal'] },
        { month: '2025-01', patientId: 'b', sessionId: 's3', passingViews: [] },
        { month: '2025-02', patientId: 'a', sessionId: 's4', passingViews: [] },
        { month: '2025-02', patientId: 'a', sessionId: 's5', passingViews: ['smile', 'frontal'] },
        { month: '2024-12', patientId: 'c', sessionId: 's6', passingViews: ['smile', 'frontal'] },
      ],
      required,
      months,
    );
    expect(result).toEqual([
      { month: '2025-01', patientsPhotographed: 2, compliant: 1, share: 0.5 },
      { month: '2025-02', patientsPhotographed: 1, compliant: 1, share: 1 },
      { month: '2025-03', patientsPhotographed: 0, compliant: 0, share: 0 },
    ]);
  });

  it('rounds the share', () => {
    const sessions = ['a', 'b', 'c'].map((p, i) => ({ month: '2025-03', patientId: p, sessionId: `s${i}`, passingViews: i === 0 ? required : [] }));
    expect(photoCompliance(sessions, required, months)[2]).toEqual({ month: '2025-03', patientsPhotographed: 3, compliant: 1, share: 0.3333 });
  });
});
