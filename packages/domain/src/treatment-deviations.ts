/**
 * What was done at a visit against what the signed plan said for that visit. A deviation is not an error:
 * clinicians adjust at the chair. It is made visible so the record shows planned and done side by side.
 */
import type { Side, ZoneId } from './face-analysis.js';
import type { DoseUnit, FinalPlanItem } from './treatment-plan.js';

export interface PerformedItem {
  /** The plan item this was done against, when recorded from the plan. */
  planItemKey: string | null;
  productId: string;
  productLabel: string;
  zoneId: ZoneId;
  side: Side;
  amount: number;
  unit: DoseUnit;
}

export type DeviationKind = 'not_done' | 'not_planned' | 'different_amount' | 'different_product';

export interface Deviation {
  kind: DeviationKind;
  zoneId: ZoneId;
  side: Side;
  planned: { productId: string; amount: number; unit: DoseUnit } | null;
  done: { productId: string; amount: number; unit: DoseUnit } | null;
  text: string;
}

const where = (zoneId: ZoneId, side: Side): string => `${zoneId.replace(/_/g, ' ')}${side === 'centre' ? '' : ` (${side})`}`;

/** Matches each performed item to the plan item it names, else to the planned item for the same zone and side. */
export function treatmentDeviations(planned: readonly FinalPlanItem[], done: readonly PerformedItem[]): Deviation[] {
  const open = [...planned];
  const deviations: Deviation[] = [];
  const take = (item: PerformedItem): FinalPlanItem | undefined => {
    let index = item.planItemKey ? open.findIndex((p) => p.key === item.planItemKey) : -1;
    if (index < 0) index = open.findIndex((p) => p.zoneId === item.zoneId && p.side === item.side && p.productId === item.productId);
    if (index < 0) index = open.findIndex((p) => p.zoneId === item.zoneId && p.side === item.side);
    return index < 0 ? undefined : open.splice(index, 1)[0];
  };
  for (const item of done) {
    const plan = take(item);
    const doneDose = { productId: item.productId, amount: item.amount, unit: item.unit };
    if (!plan) {
      deviations.push({ kind: 'not_planned', zoneId: item.zoneId, side: item.side, planned: null, done: doneDose, text: `${item.productLabel} in the ${where(item.zoneId, item.side)} was not in the plan.` });
      continue;
    }
    const plannedDose = { productId: plan.productId, amount: plan.amount, unit: plan.unit };
    if (plan.productId !== item.productId) {
      deviations.push({
        kind: 'different_product',
        zoneId: item.zoneId,
        side: item.side,
        planned: plannedDose,
        done: doneDose,
        text: `${where(item.zoneId, item.side)}: ${item.productLabel} was used instead of the planned ${plan.productLabel}.`,
      });
    } else if (Math.abs(plan.amount - item.amount) > 1e-9) {
      deviations.push({
        kind: 'different_amount',
        zoneId: item.zoneId,
        side: item.side,
        planned: plannedDose,
        done: doneDose,
        text: `${where(item.zoneId, item.side)}: ${item.amount} ${item.unit} of ${item.productLabel} instead of the planned ${plan.amount} ${plan.unit}.`,
      });
    }
  }
  for (const plan of open) {
    deviations.push({
      kind: 'not_done',
      zoneId: plan.zoneId,
      side: plan.side,
      planned: { productId: plan.productId, amount: plan.amount, unit: plan.unit },
      done: null,
      text: `${plan.productLabel} in the ${where(plan.zoneId, plan.side)} was planned for this visit but not done.`,
    });
  }
  return deviations;
}
