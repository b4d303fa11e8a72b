/**
 * Photo-protocol compliance: is a session complete, and which share of the patients photographed in a
 * month had a complete session that month. Pure: the server gathers, per session, the views that have a
 * passing (current, not superseded) photo.
 */

/** A session is complete when every required view has a passing photo. */
export function isSessionComplete(requiredViews: readonly string[], passingViews: Iterable<string>): boolean {
  const passing = new Set(passingViews);
  return requiredViews.every((view) => passing.has(view));
}

/** The `count` calendar months (UTC) ending with the one containing `now`, oldest first, as YYYY-MM. */
export function monthsEnding(now: Date, count: number): string[] {
  const months: string[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - i, 1));
    months.push(`${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`);
  }
  return months;
}

/** One session that has at least one photo. */
export interface SessionPhotos {
  /** YYYY-MM of the visit. */
  month: string;
  patientId: string;
  sessionId: string;
  /** Views with a passing, current photo. */
  passingViews: readonly string[];
}

export interface MonthlyCompliance {
  month: string;
  patientsPhotographed: number;
  compliant: number;
  /** compliant ÷ patientsPhotographed, 0–1 (0 when nobody was photographed). */
  share: number;
}

/**
 * For each month: the patients with at least one photographed session that month, and those of them with
 * a complete session that month (several sessions in a month count once per patient).
 */
export function photoCompliance(sessions: readonly SessionPhotos[], requiredViews: readonly string[], months: readonly string[]): MonthlyCompliance[] {
  const photographed = new Map<string, Set<string>>();
  const compliant = new Map<string, Set<string>>();
  for (const month of months) {
    photographed.set(month, new Set());
    compliant.set(month, new Set());
  }
  for (const session of sessions) {
    const seen = photographed.get(session.month);
    if (!seen) continue;
    seen.add(session.patientId);
    if (isSessionComplete(requiredViews, session.passingViews)) compliant.get(session.month)?.add(session.patientId);
  }
  return months.map((month) => {
    const n = photographed.get(month)?.size ?? 0;
    const ok = compliant.get(month)?.size ?? 0;
    return { month, patientsPhotographed: n, compliant: ok, share: n === 0 ? 0 : Number((ok / n).toFixed(4)) };
  });
}
