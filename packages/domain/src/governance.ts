/**
 * The owner's AI-governance figures: how clinicians weighed the planner's suggestions. Shares are of the
 * suggestions (accepted + modified + rejected); items the clinician added are counted beside them, since they
 * were never suggested. Reasons are normalised (case, spacing, end punctuation) and counted, most common first.
 */
import type { ZoneId } from './face-analysis.js';
import type { ItemDecision, TreatmentClass } from './treatment-plan.js';

/** One decision in a signed plan, with what it was about. */
export interface DecisionRow {
  decision: ItemDecision;
  zoneId: ZoneId;
  treatmentClass: TreatmentClass;
  productId: string;
  clinicianId: string;
  clinicianName: string;
  reason: string | null;
}

export interface ShareCounts {
  /** Suggestions decided: accepted + modified + rejected. */
  suggested: number;
  accepted: number;
  modified: number;
  rejected: number;
  /** Items the clinician added (not suggestions; not in the shares). */
  added: number;
  /** Shares of the suggestions (0–1), null when there were none. */
  acceptedShare: number | null;
  modifiedShare: number | null;
  rejectedShare: number | null;
}

export interface ReasonCount {
  reason: string;
  count: number;
}

export interface DecisionShares {
  overall: ShareCounts;
  byZone: (ShareCounts & { zoneId: ZoneId })[];
  byTreatmentClass: (ShareCounts & { treatmentClass: TreatmentClass })[];
  byClinician: (ShareCounts & { clinicianId: string; clinicianName: string })[];
  topRejectionReasons: ReasonCount[];
  topModificationReasons: ReasonCount[];
}

const share = (n: number, of: number): number | null => (of === 0 ? null : Math.round((n / of) * 1000) / 1000);

function counts(rows: readonly DecisionRow[]): ShareCounts {
  const n = (d: ItemDecision): number => rows.filter((r) => r.decision === d).length;
  const accepted = n('accepted');
  const modified = n('modified');
  const rejected = n('rejected');
  const suggested = accepted + modified + rejected;
  return {
    suggested,
    accepted,
    modified,
    rejected,
    added: n('added'),
    acceptedShare: share(accepted, suggested),
    modifiedShare: share(modified, suggested),
    rejectedShare: share(rejected, suggested),
  };
}

function groupBy<K extends string>(rows: readonly DecisionRow[], key: (r: DecisionRow) => K): [K, DecisionRow[]][] {
  const groups = new Map<K, DecisionRow[]>();
  for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r]);
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** "Patient declined. " and "patient  declined" count as one reason. */
export function normaliseReason(reason: string): string {
  return reason.trim().toLowerCase().replace(/\s+/g, ' ').replace(/[.!;,:\s]+$/, '');
}

function topReasons(rows: readonly DecisionRow[], decision: ItemDecision, limit: number): ReasonCount[] {
  const tally = new Map<string, number>();
  for (const r of rows) {
    if (r.decision !== decision || !r.reason) continue;
    const reason = normaliseReason(r.reason);
    if (reason) tally.set(reason, (tally.get(reason) ?? 0) + 1);
  }
  return [...tally.entries()]
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count || (a.reason < b.reason ? -1 : a.reason > b.reason ? 1 : 0))
    .slice(0, limit);
}

/** The governance figures from every decision row; `topN` reasons of each kind (default 5). */
export function decisionShares(rows: readonly DecisionRow[], topN = 5): DecisionShares {
  return {
    overall: counts(rows),
    byZone: groupBy(rows, (r) => r.zoneId).map(([zoneId, group]) => ({ zoneId, ...counts(group) })),
    byTreatmentClass: groupBy(rows, (r) => r.treatmentClass).map(([treatmentClass, group]) => ({ treatmentClass, ...counts(group) })),
    byClinician: groupBy(rows, (r) => r.clinicianId).map(([clinicianId, group]) => ({ clinicianId, clinicianName: (group[0] as DecisionRow).clinicianName, ...counts(group) })),
    topRejectionReasons: topReasons(rows, 'rejected', topN),
    topModificationReasons: topReasons(rows, 'modified', topN),
  };
}
