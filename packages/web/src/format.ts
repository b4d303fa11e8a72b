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
