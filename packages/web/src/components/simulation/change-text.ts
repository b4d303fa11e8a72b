/** The simulation's intended changes in the words a clinician would use with the patient. */
import { SIDE_LABELS, ZONE_LABELS } from '../../labels';
import type { IntendedChange, RenderedEffect, SimulationEffect, SimulationVariant, ZoneId } from '../../types';

/** Printed next to every simulated image, as it is burned into the image's own label band. */
export const SIMULATION_LABEL = 'Simulated projection, not a guaranteed outcome';

export const VARIANT_LABELS: Record<SimulationVariant, string> = {
  conservative: 'Conservative',
  expected: 'Expected',
  upper: 'Upper',
};

export const VARIANT_HINTS: Record<SimulationVariant, string> = {
  conservative: 'the low end of the published range',
  expected: 'the typical result',
  upper: 'the high end of the published range',
};

const LINE_NAMES: Partial<Record<ZoneId, string>> = {
  glabella: 'glabellar lines',
  forehead: 'forehead lines',
  crows_feet: "crow's feet lines",
  perioral: 'lines around the mouth',
  marionette: 'marionette lines',
};

const lip = (zone: ZoneId): string => (zone === 'lower_lip' ? 'lower' : 'upper');
const zoneWords = (zone: ZoneId): string => ZONE_LABELS[zone].toLowerCase();

const EFFECT_WORDS: Record<SimulationEffect, (zone: ZoneId) => string> = {
  vermilion_height: (zone) => `${lip(zone)} vermilion height`,
  border_definition: (zone) => `${lip(zone)} lip border definition`,
  projection: () => 'cheek projection (drawn as shading)',
  lift: () => 'cheek lift',
  lateral_contour: () => 'cheek outline at the cheekbone',
  chin_length: () => 'chin length',
  jaw_contour: () => 'jaw outline at the angle',
  jawline_definition: () => 'jawline definition',
  jowl_softening: () => 'jowl shadow',
  hollow: () => 'tear-trough hollowness',
  fold: (zone) => (zone === 'marionette' ? 'marionette fold' : 'nasolabial fold'),
  lines: (zone) => `${LINE_NAMES[zone] ?? `${zoneWords(zone)} lines`} at rest`,
  texture: (zone) => `skin roughness (${zoneWords(zone)})`,
  tone: (zone) => `pigment unevenness (${zoneWords(zone)})`,
};

/** A signed figure with a real minus sign, to at most `digits` decimals (no trailing zeros). */
function signed(value: number, digits: number): string {
  const text = Math.abs(value)
    .toFixed(digits)
    .replace(/\.?0+$/, '');
  if (text === '0' || text === '') return '0';
  return `${value < 0 ? '−' : '+'}${text}`;
}

/** "+1.2 mm", "−1 grade", "−20 %". */
export function changeAmount(kind: IntendedChange['kind'], amount: number): string {
  switch (kind) {
    case 'mm':
      return `${signed(amount, 1)} mm`;
    case 'grade': {
      const text = signed(amount, 1);
      return `${text} ${text === '+1' || text === '−1' || Math.abs(amount) < 1 ? 'grade' : 'grades'}`;
    }
    case 'ratio':
      return `${signed(amount * 100, 0)} %`;
  }
}

/** "upper vermilion height", "glabellar lines at rest", with the patient's side for paired zones. */
export function changeWhat(change: Pick<IntendedChange, 'zoneId' | 'side' | 'effect'>): string {
  const words = EFFECT_WORDS[change.effect](change.zoneId);
  return change.side === 'centre' ? words : `${words}, ${SIDE_LABELS[change.side].toLowerCase()}`;
}

/** "+1.2 mm upper vermilion height". */
export function changeText(change: IntendedChange): string {
  return `${changeAmount(change.kind, change.amount)} ${changeWhat(change)}`;
}

/** One change's identity across variants: the same zone, side and effect. */
export const changeKey = (change: Pick<IntendedChange, 'zoneId' | 'side' | 'effect'>): string =>
  `${change.zoneId}:${change.side}:${change.effect}`;

/**
 * What the renderer drew of a change: a short line when it drew less than intended or measured the result, and
 * the renderer's own explanation for the details.
 */
export function renderedNote(change: IntendedChange, rendered: RenderedEffect[]): { short: string | null; detail: string | null } | null {
  const entry = rendered.find(
    (item) => item.zoneId === change.zoneId && item.side === change.side && item.kind === change.kind && item.effects.includes(change.effect),
  );
  if (!entry) return null;
  const detail = entry.note ? `On this photo: ${entry.note}.` : null;
  if (entry.limitedBy === 'photo') return { short: 'Drawn less than intended: the photo already shows little to change here.', detail };
  if (entry.limitedBy === 'strength') return { short: 'Drawn less than intended on this photo.', detail };
  if (entry.before !== undefined && entry.after !== undefined) {
    if (change.kind === 'mm' && entry.measurementId) return { short: `On the photo: ${entry.before.toFixed(1)} mm before, ${entry.after.toFixed(1)} mm after.`, detail };
    if (change.kind === 'grade') return { short: `AI estimate on the photo: ${entry.before.toFixed(1)} before, ${entry.after.toFixed(1)} after (of 4).`, detail };
  }
  return { short: null, detail };
}
