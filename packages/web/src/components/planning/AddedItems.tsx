import { useState, type FormEvent } from 'react';
import { zoneDoseFor } from '@contour/domain/treatment-catalogue';
import { api } from '../../api';
import { formatDateTime, formatDose, formatMoney } from '../../format';
import { useSubmission } from '../../hooks';
import type { PlanView, TreatmentCatalogue } from '../../types';
import { ProblemMessage } from '../Problem';
import { ItemFields, ReasonField, type ItemDraft } from './DecisionForms';
import { planPaths, sidesFor, visitChoices, whereText } from './plan-helpers';

interface Props {
  plan: PlanView;
  catalogue: TreatmentCatalogue | null;
  editable: boolean;
  onChanged(plan: PlanView): void;
}

/** Items the clinician added that the planner did not suggest, and the form to add one. */
export function AddedItems({ plan, catalogue, editable, onChanged }: Props) {
  const added = plan.current.decisions.filter((entry) => entry.decision === 'added');
  const { currency } = plan.current.suggested;
  const remove = useSubmission();
  if (added.length === 0 && !editable) return null;
  return (
    <section className="card" aria-labelledby="added-heading" data-testid="added-items">
      <h2 id="added-heading">Added by the clinician</h2>
      {added.length === 0 ? (
        <p className="muted">No items added.</p>
      ) : (
        <ul className="plan-items">
          {added.map((entry) => {
            const final = plan.current.final.find((item) => item.key === entry.itemKey);
            const input = entry.added;
            const where = input ? whereText(input.zoneId, input.side) : entry.itemKey;
            return (
              <li key={entry.itemKey} className="plan-item decided added" data-testid="added-item">
                <div className="plan-item-head">
                  <h4>{where}</h4>
                  {final && <span className="plan-item-product">{final.productLabel}</span>}
                  {final?.offLabel && <span className="badge warn">Off-label</span>}
                </div>
                <p>
                  {final ? `${formatDose(final.amount, final.unit)}, visit ${final.stage}, ${formatMoney(final.cost, currency)}` : ''}
                  {entry.reason && <span className="decision-reason block">“{entry.reason}”</span>}
                  <span className="muted small block">
                    {entry.decidedByName}, {formatDateTime(entry.decidedAt)}
                  </span>
                </p>
                {editable && (
                  <button type="button" className="button secondary small" disabled={remove.busy}
                    onClick={() => void remove.run(async () => onChanged(await api.delete<PlanView>(planPaths.decision(plan, entry.itemKey))))}>
                    Remove<span className="visually-hidden"> {where}</span>
                  </button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <ProblemMessage error={remove.error} />
      {editable && <AddItemForm plan={plan} catalogue={catalogue} onChanged={onChanged} />}
    </section>
  );
}

function AddItemForm({ plan, catalogue, onChanged }: { plan: PlanView; catalogue: TreatmentCatalogue | null; onChanged(plan: PlanView): void }) {
  const active = (catalogue?.products ?? []).filter((product) => product.active);
  const initial = (): ItemDraft => {
    const product = active[0];
    const zoneId = product?.zones[0]?.zoneId ?? 'glabella';
    const range = product ? zoneDoseFor(product, zoneId) : undefined;
    return { zoneId, side: sidesFor(zoneId)[0] ?? 'centre', productId: product?.id ?? '', amount: range ? String(range.min) : '', stage: 1 };
  };
  const [draft, setDraft] = useState<ItemDraft>(initial);
  const [reason, setReason] = useState('');
  const submission = useSubmission();
  // Products with a dose for the chosen zone first; a product without one can still be chosen (off-label).
  const withZone = active.filter((product) => zoneDoseFor(product, draft.zoneId));
  const products = [...withZone, ...active.filter((product) => !withZone.includes(product))];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const done = await submission.run(async () => {
      onChanged(
        await api.post<PlanView>(`${planPaths.version(plan)}/items`, {
          zoneId: draft.zoneId,
          side: draft.side,
          productId: draft.productId,
          amount: Number(draft.amount),
          stage: draft.stage,
          reason: reason.trim(),
        }),
      );
    });
    if (done) {
      setDraft(initial());
      setReason('');
    }
  };

  if (!catalogue) return null;
  return (
    <form className="inline-form" onSubmit={(event) => void submit(event)} aria-labelledby="add-item-heading">
      <h3 id="add-item-heading">Add an item</h3>
      <ItemFields value={draft} onChange={setDraft} products={products} visits={visitChoices(plan)} error={submission.error} />
      <ReasonField value={reason} onChange={setReason} error={submission.error} label="Reason for adding it" />
      <ProblemMessage error={submission.error} />
      <div className="button-row">
        <button type="submit" className="button primary" disabled={submission.busy || reason.trim() === '' || draft.productId === ''}>
          Add the item
        </button>
      </div>
    </form>
  );
}
