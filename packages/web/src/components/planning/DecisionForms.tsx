import { useState, type FormEvent } from 'react';
import { ZONE_IDS } from '@contour/domain/face-analysis';
import { doseStep, isOffLabel, zoneDoseFor } from '@contour/domain/treatment-catalogue';
import { api } from '../../api';
import { formatDoseRange } from '../../format';
import { useSubmission } from '../../hooks';
import { SIDE_LABELS, TREATMENT_CLASS_LABELS, ZONE_LABELS } from '../../labels';
import type { CatalogueProduct, ItemChange, PlanItem, PlanView, Side, TreatmentCatalogue, ZoneId } from '../../types';
import { Field } from '../Field';
import { ProblemMessage, fieldError } from '../Problem';
import { planPaths, productIn, sidesFor, visitChoices, whereText } from './plan-helpers';

/** What an item is: the fields a modification or an added item sets. */
export interface ItemDraft {
  zoneId: ZoneId;
  side: Side;
  productId: string;
  amount: string;
  stage: number;
}

interface FieldsProps {
  value: ItemDraft;
  onChange(value: ItemDraft): void;
  /** The products to choose from. */
  products: CatalogueProduct[];
  visits: number[];
  error: unknown;
  /** Where the server's field problems live (e.g. "change" for a modification). */
  prefix?: string;
}

/** Zone, side, product, amount and visit, with the catalogue's dose range for the choice. */
export function ItemFields({ value, onChange, products, visits, error, prefix }: FieldsProps) {
  const product = products.find((entry) => entry.id === value.productId);
  const range = product ? zoneDoseFor(product, value.zoneId) : undefined;
  const amount = Number(value.amount);
  const path = (name: string) => (prefix ? `${prefix}.${name}` : name);
  const setZone = (zoneId: ZoneId) => {
    const sides = sidesFor(zoneId);
    onChange({ ...value, zoneId, side: sides.includes(value.side) ? value.side : (sides[0] ?? 'centre') });
  };
  return (
    <div className="grid item-fields">
      <Field label="Zone" error={fieldError(error, path('zoneId'))}>
        {(c) => (
          <select id={c.id} aria-describedby={c.describedBy} value={value.zoneId} onChange={(e) => setZone(e.target.value as ZoneId)}>
            {ZONE_IDS.map((zone) => (
              <option key={zone} value={zone}>
                {ZONE_LABELS[zone]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Side" hint="The patient's own side." error={fieldError(error, path('side'))}>
        {(c) => (
          <select id={c.id} aria-describedby={c.describedBy} value={value.side} onChange={(e) => onChange({ ...value, side: e.target.value as Side })}>
            {sidesFor(value.zoneId).map((side) => (
              <option key={side} value={side}>
                {SIDE_LABELS[side]}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label="Product" error={fieldError(error, path('productId'))}>
        {(c) => (
          <select id={c.id} aria-describedby={c.describedBy} value={value.productId}
            onChange={(e) => onChange({ ...value, productId: e.target.value })}>
            {products.map((entry) => (
              <option key={entry.id} value={entry.id}>
                {entry.brand} ({TREATMENT_CLASS_LABELS[entry.treatmentClass]})
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={`Amount${product ? ` (${product.unit})` : ''}`} error={fieldError(error, path('amount'))}
        hint={
          range
            ? `Typical ${formatDoseRange({ min: range.min, max: range.max, unit: product?.unit ?? 'U' })}${range.perSide ? ' per side' : ''}, ${range.label}.`
            : product
              ? `The catalogue has no dose for ${ZONE_LABELS[value.zoneId]} with this product.`
              : undefined
        }>
        {(c) => (
          <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} type="number" required min={0}
            step={product ? doseStep(product.unit) : 'any'} inputMode="decimal" value={value.amount}
            onChange={(e) => onChange({ ...value, amount: e.target.value })} />
        )}
      </Field>
      <Field label="Visit" error={fieldError(error, path('stage'))}>
        {(c) => (
          <select id={c.id} aria-describedby={c.describedBy} value={value.stage} onChange={(e) => onChange({ ...value, stage: Number(e.target.value) })}>
            {visits.map((visit) => (
              <option key={visit} value={visit}>
                Visit {visit}
              </option>
            ))}
          </select>
        )}
      </Field>
      {range && Number.isFinite(amount) && amount > 0 && isOffLabel(range, amount) && (
        <p className="notice warn span-2" role="status">
          Off-label: {range.label === 'off-label' ? 'this zone is not a labelled indication of the product' : 'the amount is outside the labelled range'}.
        </p>
      )}
    </div>
  );
}

interface DecisionFormProps {
  item: PlanItem;
  plan: PlanView;
  onDone(plan: PlanView): void;
  onCancel(): void;
}

/** Change the dose, product (same class), zone, side or visit of a suggested item, with the reason why. */
export function ModifyForm({ item, plan, catalogue, onDone, onCancel }: DecisionFormProps & { catalogue: TreatmentCatalogue | null }) {
  const current = plan.current.final.find((entry) => entry.key === item.key);
  const [draft, setDraft] = useState<ItemDraft>({
    zoneId: current?.zoneId ?? item.zoneId,
    side: current?.side ?? item.side,
    productId: current?.productId ?? item.productId,
    amount: String(current?.amount ?? item.plannedAmount),
    stage: current?.stage ?? item.stage,
  });
  const [reason, setReason] = useState('');
  const [localProblem, setLocalProblem] = useState<string | null>(null);
  const submission = useSubmission();
  const sameClass = (catalogue?.products ?? []).filter(
    (product) => product.treatmentClass === item.treatmentClass && (product.active || product.id === item.productId),
  );
  const products = sameClass.length > 0 ? sameClass : [productIn(catalogue, item.productId)].filter((p): p is CatalogueProduct => Boolean(p));
  const where = whereText(item.zoneId, item.side);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const change: ItemChange = {};
    const amount = Number(draft.amount);
    if (amount !== item.plannedAmount) change.amount = amount;
    if (draft.productId !== item.productId) change.productId = draft.productId;
    if (draft.zoneId !== item.zoneId) change.zoneId = draft.zoneId;
    if (draft.side !== item.side) change.side = draft.side;
    if (draft.stage !== item.stage) change.stage = draft.stage;
    if (Object.keys(change).length === 0) {
      setLocalProblem('Change the dose, product, zone, side or visit, or accept the item as it is.');
      return;
    }
    setLocalProblem(null);
    await submission.run(async () => {
      onDone(await api.put<PlanView>(planPaths.decision(plan, item.key), { decision: 'modify', reason: reason.trim(), change }));
    });
  };

  return (
    <form className="inline-form decision-form" onSubmit={(event) => void submit(event)} aria-label={`Modify ${where}`}>
      <ItemFields value={draft} onChange={setDraft} products={products} visits={visitChoices(plan)} error={submission.error} prefix="change" />
      <ReasonField value={reason} onChange={setReason} error={submission.error} label="Reason for the change" />
      {localProblem && (
        <p className="field-error" role="alert">
          {localProblem}
        </p>
      )}
      <ProblemMessage error={submission.error} />
      <div className="button-row">
        <button type="submit" className="button primary small" disabled={submission.busy || reason.trim() === ''}>
          Save the change
        </button>
        <button type="button" className="button secondary small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/** Reject a suggested item, with the reason why. */
export function RejectForm({ item, plan, onDone, onCancel }: DecisionFormProps) {
  const [reason, setReason] = useState('');
  const submission = useSubmission();
  const where = whereText(item.zoneId, item.side);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await submission.run(async () => {
      onDone(await api.put<PlanView>(planPaths.decision(plan, item.key), { decision: 'reject', reason: reason.trim() }));
    });
  };
  return (
    <form className="inline-form decision-form" onSubmit={(event) => void submit(event)} aria-label={`Reject ${where}`}>
      <ReasonField value={reason} onChange={setReason} error={submission.error} label="Reason for rejecting" />
      <ProblemMessage error={submission.error} />
      <div className="button-row">
        <button type="submit" className="button danger small" disabled={submission.busy || reason.trim() === ''}>
          Reject the item
        </button>
        <button type="button" className="button secondary small" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

export function ReasonField({ value, onChange, error, label }: { value: string; onChange(value: string): void; error: unknown; label: string }) {
  return (
    <Field label={label} hint="Required. Kept in the decision record." error={fieldError(error, 'reason')}>
      {(c) => (
        <textarea id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} rows={2} required maxLength={500}
          value={value} onChange={(e) => onChange(e.target.value)} />
      )}
    </Field>
  );
}
