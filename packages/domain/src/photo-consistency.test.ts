import { describe, expect, it } from 'vitest';
import { compareWithBaseline, type ConsistencyBasis, type ConsistencyReport } from './photo-consistency.js';

const baseline: ConsistencyBasis = {
  photoId: 'baseline',
  width: 1000,
  height: 1000,
  interPupilPx: 200,
  faceCentre: { x: 500, y: 480 },
  pose: { yaw: -2, pitch: 1, roll: 0.5 },
  eyeWhiteBrightness: 180,
  lightingBalance: 0.95,
  darkerSide: 'left',
};

const check = (report: ConsistencyReport, id: string) => {
  const found = report.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no ${id} check`);
  return found;
};

describe('compareWithBaseline', () => {
  it('passes every check for the same framing, pose and light', () => {
    const report = compareWithBaseline(baseline, { ...baseline, photoId: 'now' });
    expect(report.baselinePhotoId).toBe('baseline');
    expect(report.checks.map((c) => c.id)).toEqual(['scale', 'framing', 'pose', 'lighting']);
    expect(report.checks.every((c) => c.passed)).toBe(true);
    expect(report.checks.map((c) => c.value)).toEqual([0, 0, 0, 0]);
  });

  it('flags a closer camera and says how far to move back', () => {
    const scale = check(compareWithBaseline(baseline, { ...baseline, interPupilPx: 250 }), 'scale');
    expect(scale).toMatchObject({ passed: false, value: 0.25, threshold: 0.1 });
    expect(scale.message).toBe('Closer than at baseline: move the camera back about 25%.');
  });

  it('flags a camera further away, and tolerates up to 10%', () => {
    const far = check(compareWithBaseline(baseline, { ...baseline, interPupilPx: 160 }), 'scale');
    expect(far.passed).toBe(false);
    expect(far.message).toMatch(/^Further away than at baseline: move the camera closer, about 20% nearer/);
    expect(check(compareWithBaseline(baseline, { ...baseline, interPupilPx: 219 }), 'scale').passed).toBe(true);
    expect(check(compareWithBaseline(baseline, { ...baseline, interPupilPx: 181 }), 'scale').passed).toBe(true);
  });

  it('compares scale relative to the image width, so a different camera resolution is not a change', () => {
    const bigger = { ...baseline, width: 2000, height: 2000, interPupilPx: 400, faceCentre: { x: 1000, y: 960 } };
    const report = compareWithBaseline(baseline, bigger);
    expect(check(report, 'scale').passed).toBe(true);
    expect(check(report, 'framing').passed).toBe(true);
  });

  it('flags a face shifted by more than 5% of the image, naming the direction', () => {
    const framing = check(compareWithBaseline(baseline, { ...baseline, faceCentre: { x: 580, y: 400 } }), 'framing');
    expect(framing).toMatchObject({ passed: false, value: 0.08, threshold: 0.05 });
    expect(framing.message).toMatch(/8% further right and 8% higher/);
    expect(check(compareWithBaseline(baseline, { ...baseline, faceCentre: { x: 540, y: 450 } }), 'framing').passed).toBe(true);
  });

  it('flags a head turned, tilted or raised by more than 5°, with the instruction to undo it', () => {
    const pose = check(compareWithBaseline(baseline, { ...baseline, pose: { yaw: 6, pitch: 1, roll: 0.5 } }), 'pose');
    expect(pose).toMatchObject({ passed: false, value: 8, threshold: 5 });
    expect(pose.message).toMatch(/turn their head about 8° to their right/);
    const chin = check(compareWithBaseline(baseline, { ...baseline, pose: { yaw: -2, pitch: -7, roll: 7 } }), 'pose');
    expect(chin.message).toMatch(/raise their chin by about 8°/);
    expect(chin.message).toMatch(/level their head by about 7° towards their right shoulder/);
    expect(check(compareWithBaseline(baseline, { ...baseline, pose: { yaw: 2.9, pitch: -3.9, roll: 5.4 } }), 'pose').passed).toBe(true);
  });

  it('flags brightness beyond 15% and a change of lighting balance beyond 0.1', () => {
    const brighter = check(compareWithBaseline(baseline, { ...baseline, eyeWhiteBrightness: 216 }), 'lighting');
    expect(brighter).toMatchObject({ passed: false, value: 0.2, threshold: 0.15 });
    expect(brighter.message).toMatch(/^Brighter than at baseline by about 20%/);
    const darker = check(compareWithBaseline(baseline, { ...baseline, eyeWhiteBrightness: 140 }), 'lighting');
    expect(darker.message).toMatch(/^Darker than at baseline by about 22%/);
    const uneven = check(compareWithBaseline(baseline, { ...baseline, lightingBalance: 0.8, darkerSide: 'right' }), 'lighting');
    expect(uneven.passed).toBe(false);
    expect(uneven.message).toMatch(/less even than at baseline \(the patient's right side is darker\)/);
    expect(check(compareWithBaseline(baseline, { ...baseline, eyeWhiteBrightness: 200, lightingBalance: 0.88 }), 'lighting').passed).toBe(true);
  });

  it('reports unmeasurable values as failures rather than guessing', () => {
    const report = compareWithBaseline(baseline, { ...baseline, eyeWhiteBrightness: null, interPupilPx: 0 });
    expect(check(report, 'lighting')).toMatchObject({ passed: false, value: null });
    expect(check(report, 'scale')).toMatchObject({ passed: false, value: null });
  });
});
