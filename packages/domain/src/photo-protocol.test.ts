import { describe, expect, it } from 'vitest';
import { DEFAULT_PROTOCOL, evaluatePhoto, findView, protocolProblems, type PhotoMeasurements, type PhotoProtocol, type ViewSpec } from './photo-protocol.js';

const t = DEFAULT_PROTOCOL.thresholds;
const frontal = findView(DEFAULT_PROTOCOL, 'frontal') as ViewSpec;

/** A photo that meets every default threshold, to change one measure at a time. */
const good: PhotoMeasurements = {
  width: 1350,
  height: 1350,
  faceCount: 1,
  yaw: 0,
  pitch: 0,
  roll: 0,
  faceWidthShare: 0.33,
  faceWidthPx: 445,
  centreOffset: 0.02,
  edgeMargin: 0.3,
  sharpness: 150,
  eyeWhiteBrightness: 160,
  clippedShare: 0,
  lightingBalance: 0.95,
  darkerSide: 'left',
  colourCast: 1.5,
  backgroundVariation: 8,
  eyeOpenness: 0.38,
  smileScore: 0.05,
  frownScore: 0,
  browRaiseScore: 0,
};

const check = (m: Partial<PhotoMeasurements>, view: ViewSpec = frontal, id?: string) => {
  const result = evaluatePhoto(view, t, { ...good, ...m });
  return id ? result.checks.find((c) => c.id === id) : result;
};

describe('photo protocol', () => {
  it('passes a photo that meets every threshold, with every check reported', () => {
    const result = evaluatePhoto(frontal, t, good);
    expect(result.passed).toBe(true);
    expect(result.checks.map((c) => c.id)).toHaveLength(15);
  });

  it('tells which way to turn, tilt and level the head', () => {
    expect(check({ yaw: 9 }, frontal, 'yaw')).toMatchObject({ passed: false, message: 'Ask the patient to turn their head 9° to their right.' });
    expect(check({ yaw: -8 }, frontal, 'yaw')?.message).toMatch(/8° to their left/);
    expect(check({ pitch: 15 }, frontal, 'pitch')?.message).toMatch(/lower their chin by about 15°/);
    expect(check({ pitch: -14 }, frontal, 'pitch')?.message).toMatch(/raise their chin/);
    expect(check({ roll: 8 }, frontal, 'roll')?.message).toMatch(/tilts 8° towards their left shoulder/);
    expect(check({ roll: -7 }, frontal, 'roll')?.message).toMatch(/towards their right shoulder/);
    // An oblique view is judged against its own angle.
    const oblique = findView(DEFAULT_PROTOCOL, 'right_oblique') as ViewSpec;
    expect(check({ yaw: 45 }, oblique, 'yaw')?.passed).toBe(true);
    expect(check({ yaw: 20 }, oblique, 'yaw')?.message).toMatch(/25° to their left/);
  });

  it('explains exposure, framing, resolution and lighting failures', () => {
    expect(check({ eyeWhiteBrightness: 50 }, frontal, 'exposure')?.message).toMatch(/too dark/);
    expect(check({ eyeWhiteBrightness: 250 }, frontal, 'exposure')?.message).toMatch(/too bright/);
    expect(check({ faceWidthShare: 0.15 }, frontal, 'face_size')?.message).toMatch(/closer/);
    expect(check({ faceWidthShare: 0.9 }, frontal, 'face_size')?.message).toMatch(/further away/);
    expect(check({ edgeMargin: -0.1 }, frontal, 'centring')?.message).toMatch(/cut off/);
    expect(check({ centreOffset: 0.3 }, frontal, 'centring')?.message).toMatch(/Centre the face/);
    expect(check({ width: 600, height: 600 }, frontal, 'resolution')?.message).toMatch(/too small \(600 px\)/);
    expect(check({ faceWidthPx: 200 }, frontal, 'resolution')?.message).toMatch(/only 200 px wide/);
    expect(check({ lightingBalance: 0.5, darkerSide: 'right' }, frontal, 'lighting_balance')?.message).toMatch(/patient's right side is darker/);
    expect(check({ colourCast: 30 }, frontal, 'colour_cast')?.passed).toBe(false);
    expect(check({ backgroundVariation: 50 }, frontal, 'background')?.passed).toBe(false);
    expect(check({ eyeOpenness: 0.05 }, frontal, 'eyes_open')?.message).toMatch(/eyes are closed/);
    expect(check({ sharpness: 3 }, frontal, 'sharpness')?.message).toMatch(/blurred/);
  });

  it('holds each view to its own expression', () => {
    expect(check({ smileScore: 0.9 }, frontal, 'expression')).toMatchObject({ passed: false, message: expect.stringMatching(/relax their expression/) });
    const smile = findView(DEFAULT_PROTOCOL, 'smile') as ViewSpec;
    expect(check({ smileScore: 0.9 }, smile, 'expression')?.passed).toBe(true);
    expect(check({ smileScore: 0.1 }, smile, 'expression')?.message).toMatch(/full smile/);
    expect(check({ frownScore: 0.8 }, findView(DEFAULT_PROTOCOL, 'frown') as ViewSpec, 'expression')?.passed).toBe(true);
    expect(check({ browRaiseScore: 0.1 }, findView(DEFAULT_PROTOCOL, 'brow_raise') as ViewSpec, 'expression')?.message).toMatch(/raise their eyebrows/);
    // The dynamic views' limits come from the clinic's thresholds, like every other check.
    const frown = findView(DEFAULT_PROTOCOL, 'frown') as ViewSpec;
    expect(evaluatePhoto(frown, { ...t, minFrownScore: 0.3 }, { ...good, frownScore: 0.4 }).checks.find((c) => c.id === 'expression')).toMatchObject({ passed: true, threshold: 0.3 });
  });

  it('fails every face check, saying why, when there is not exactly one face', () => {
    const none = evaluatePhoto(frontal, t, { ...good, faceCount: 0, yaw: null, sharpness: null, smileScore: null, faceWidthShare: null, centreOffset: null, edgeMargin: null });
    expect(none.passed).toBe(false);
    expect(none.checks.find((c) => c.id === 'one_face')?.message).toMatch(/No face found/);
    expect(none.checks.find((c) => c.id === 'yaw')).toMatchObject({ passed: false, value: null });
    expect(check({ faceCount: 2 }, frontal, 'one_face')?.message).toMatch(/2 faces found/);
  });
});

const copy = (): PhotoProtocol => structuredClone(DEFAULT_PROTOCOL);

describe('protocolProblems', () => {
  it('accepts the default protocol and a trimmed clinic protocol', () => {
    expect(protocolProblems(DEFAULT_PROTOCOL)).toEqual([]);
    const small = copy();
    small.views = small.views.filter((v) => v.id === 'frontal' || v.id === 'smile');
    small.thresholds.minSharpness = 40;
    expect(protocolProblems(small)).toEqual([]);
  });

  it('refuses unknown and duplicate views, and a protocol with nothing required', () => {
    const p = copy();
    (p.views[1] as { id: string }).id = 'selfie';
    (p.views[2] as { id: string }).id = 'frontal';
    expect(protocolProblems(p).map((e) => e.path)).toEqual(['/views/1/id', '/views/2/id']);
    const none = copy();
    for (const v of none.views) v.required = false;
    expect(protocolProblems(none)).toEqual([{ path: '/views', message: 'at least one view must be required' }]);
    expect(protocolProblems({ ...copy(), views: [] })[0]?.path).toBe('/views');
  });

  it('refuses poses and tolerances out of range', () => {
    const p = copy();
    (p.views[0] as { yaw: number }).yaw = 120;
    (p.views[0] as { yawTolerance: number }).yawTolerance = 0;
    (p.views[3] as { rollTolerance: number }).rollTolerance = 90;
    expect(protocolProblems(p).map((e) => e.path)).toEqual(['/views/0/yaw', '/views/0/yawTolerance', '/views/3/rollTolerance']);
  });

  it('refuses thresholds out of range or the wrong way round', () => {
    const p = copy();
    p.thresholds.maxClippedShare = 2;
    p.thresholds.minImageSide = Number.NaN;
    p.thresholds.minFaceWidthShare = 0.8;
    p.thresholds.maxFaceWidthShare = 0.5;
    expect(protocolProblems(p).map((e) => e.path)).toEqual(['/thresholds/maxClippedShare', '/thresholds/minImageSide', '/thresholds/minFaceWidthShare']);
  });
});
