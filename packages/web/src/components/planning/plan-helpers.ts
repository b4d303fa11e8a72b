/** Small helpers the plan page's pieces share: where an item is, and what the catalogue says about it. */
import { isPairedZone } from '@contour/domain/treatment-catalogue';
import { SIDE_LABELS, ZONE_LABELS } from '../../labels';
import type { CatalogueProduct, DecisionEntry, PlanView, Side, TreatmentCatalogue, ZoneId } from '../../types';

/** "Crow's feet, patient's left" or "Glabella": sides are always the patient's own. */
export function whereText(zoneId: ZoneId, side: Side): string {
  return side === 'centre' ? ZONE_LABELS[zoneId] : `${ZONE_LABELS[zoneId]}, ${SIDE_LABELS[side].toLowerCase()}`;
}

/** The sides a zone can be treated on: left and right for paired zones, the centre for midline ones. */
export function sidesFor(zoneId: ZoneId): Side[] {
  return isPairedZone(zoneId) ? ['right', 'left'] : ['centre'];
}

export function productIn(catalogue: TreatmentCatalogue | null | undefined, productId: string): CatalogueProduct | undefined {
  return catalogue?.products.find((product) => product.id === productId);
}

export function decisionFor(plan: PlanView, itemKey: string): DecisionEntry | undefined {
  return plan.current.decisions.find((entry) => entry.itemKey === itemKey);
}

/** Visit numbers a clinician may move an item to: the planned visits and one more. */
export function visitChoices(plan: PlanView): number[] {
  const stages = plan.current.suggested.stages.map((stage) => stage.stage);
  const used = plan.current.final.map((item) => item.stage);
  const last = Math.max(1, ...stages, ...used);
  return Array.from({ length: Math.min(12, last + 1) }, (_, index) => index + 1);
}

/** The plan's paths on the server: every write answers with the whole plan again. */
export const planPaths = {
  version: (plan: PlanView) => `/api/plans/${plan.id}/versions/${plan.current.version}`,
  decision: (plan: PlanView, itemKey: string) =>
    `/api/plans/${plan.id}/versions/${plan.current.version}/items/${encodeURIComponent(itemKey)}/decision`,
};
