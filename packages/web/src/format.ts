/** Display formatting. Dates of birth are calendar dates, so they are never shifted by time zone. */

const dateFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** A YYYY-MM-DD calendar date. */
export function formatDate(date: string | null): string {
  if (!date) return '—';
  const parsed = new Date(`${date.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) ? date : dateFormat.format(parsed);
}

export function formatDateTime(instant: string | null): string {
  if (!instant) return '—';
  const parsed = new Date(instant);
  return Number.isNaN(parsed.getTime()) ? instant : dateTimeFormat.format(parsed);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function fullName(patient: { givenName: string; familyName: string; preferredName: string | null }): string {
  const preferred = patient.preferredName && patient.preferredName !== patient.givenName ? ` (${patient.preferredName})` : '';
  return `${patient.givenName}${preferred} ${patient.familyName}`;
}

/** "YYYY-MM" as a month name for the overview. */
export function formatMonth(month: string): string {
  const parsed = new Date(`${month}-01T00:00:00Z`);
  return Number.isNaN(parsed.getTime())
    ? month
    : new Intl.DateTimeFormat(undefined, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(parsed);
}

/** A signed angle in whole or tenth degrees, with a real minus sign. */
export function formatDegrees(value: number): string {
  const text = Math.abs(value) >= 10 ? Math.round(value).toString() : value.toFixed(1);
  return `${text.replace('-', '−')}°`;
}

const percent = (share: number, digits = 0): string => `${(share * 100).toFixed(digits)}%`;
const decimal = (value: number, digits: number): string => value.toFixed(digits);

/**
 * A quality check's measured value and the limit it was held to, in the photographer's units: shares
 * as percentages, angles in degrees around the view's target, scores as plain numbers.
 */
export function describeCheck(
  check: { id: string; value: number | null; threshold: number | [number, number] },
  view: { yaw: number; expression: string },
): { value: string; limit: string } {
  const { id, value, threshold } = check;
  const one = (format: (n: number) => string) => (value === null ? 'not measured' : format(value));
  const range = (format: (n: number) => string) =>
    Array.isArray(threshold) ? `${format(threshold[0])}–${format(threshold[1])}` : format(threshold);
  const single = Array.isArray(threshold) ? threshold[0] : threshold;
  switch (id) {
    case 'one_face':
      return { value: one((n) => `${n} ${n === 1 ? 'face' : 'faces'}`), limit: 'exactly 1' };
    case 'resolution':
      return { value: one((n) => `${n} px`), limit: `at least ${single} px` };
    case 'face_size':
      return { value: one((n) => `${percent(n)} of the width`), limit: range((n) => percent(n)) };
    case 'centring':
      return { value: one((n) => `${percent(n)} off centre`), limit: `at most ${percent(single)}` };
    case 'yaw':
      return { value: one(formatDegrees), limit: `${formatDegrees(view.yaw)} ± ${single}°` };
    case 'pitch':
    case 'roll':
      return { value: one(formatDegrees), limit: `0° ± ${single}°` };
    case 'sharpness':
      return { value: one((n) => decimal(n, 0)), limit: `at least ${single}` };
    case 'exposure':
      return { value: one((n) => decimal(n, 0)), limit: range((n) => decimal(n, 0)) };
    case 'clipping':
      return { value: one((n) => percent(n, 1)), limit: `at most ${percent(single, 1)}` };
    case 'lighting_balance':
    case 'eyes_open':
      return { value: one((n) => decimal(n, 2)), limit: `at least ${decimal(single, 2)}` };
    case 'colour_cast':
    case 'background':
      return { value: one((n) => decimal(n, 1)), limit: `at most ${single}` };
    case 'expression':
      return {
        value: one((n) => decimal(n, 2)),
        limit: view.expression === 'neutral' ? `smile at most ${decimal(single, 2)}` : `at least ${decimal(single, 2)}`,
      };
    default:
      return { value: one((n) => decimal(n, 2)), limit: range((n) => decimal(n, 2)) };
  }
}

/** Today's calendar date where the user is, as YYYY-MM-DD. */
export function localToday(): string {
  const now = new Date();
  const pad = (n: number) => n.toString().padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** An amount of money in the clinic's currency (e.g. "£1,240.00"). */
export function formatMoney(amount: number | null, currency: string): string {
  if (amount === null || !Number.isFinite(amount)) return '—';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount.toFixed(2)} ${currency}`;
  }
}

/** A dose with its unit: whole toxin units, tenths of a mL, whole sessions. */
export function formatDose(amount: number, unit: 'U' | 'mL' | 'session'): string {
  const text = Number.isInteger(amount) ? String(amount) : amount.toFixed(unit === 'mL' ? 2 : 1).replace(/0$/, '');
  if (unit === 'session') return `${text} ${amount === 1 ? 'session' : 'sessions'}`;
  return `${text} ${unit}`;
}

/** A dose range, "20–30 U", or one figure when both ends agree. */
export function formatDoseRange(range: { min: number; max: number; unit: 'U' | 'mL' | 'session' }): string {
  if (range.min === range.max) return formatDose(range.min, range.unit);
  const low = formatDose(range.min, range.unit).split(' ')[0];
  return `${low}–${formatDose(range.max, range.unit)}`;
}
