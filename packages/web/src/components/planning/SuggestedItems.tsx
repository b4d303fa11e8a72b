import { useState } from 'react';
import { api } from '../../api';
import { formatDate, formatDateTime, formatDose, formatDoseRange, formatMoney } from '../../format';
import { useSubmission } from '../../hooks';
import { DECISION_LABELS, TREATMENT_CLASS_LABELS } from '../../labels';
import type { DecisionEntry, PlanItem, PlanView, TreatmentCatalogue } from '../../types';
import { ProblemMessage } from '../Problem';
import { ModifyForm, RejectForm } from './DecisionForms';
import { decisionFor, planPaths, whereText } from './plan-helpers';

interface Props {
  plan: PlanView;
  catalogue: TreatmentCatalogue | null;
  /** A draft the user may review (clinicians); otherwise read-only. */
  editable: boolean;
  onChanged(plan: PlanView): void;
}

/** The planner's items by visit, each with the clinician's decision and, on a draft, the controls to make one. */
export function SuggestedItems({ plan, catalogue, editable, onChanged }: Props) {
  const { suggested } = plan.current;
  const stages = [...new Set(suggested.items.map((item) => item.stage))].sort((a, b) => a - b);
  return (
    <section className="card" aria-labelledby="suggested-heading" data-testid="suggested-plan">
      <h2 id="suggested-heading">Suggested plan</h2>
      <p className="hint">
        AI-assisted suggestion from the analysis, the intake and the screening. Doses are typical ranges for clinical
        reference, not prescriptions: the clinician decides every item.
      </p>
      {suggested.items.length === 0 && <p className="muted">The planner suggested no items.</p>}
      {stages.map((stage) => {
        const planned = suggested.stages.find((entry) => entry.stage === stage);
        return (
          <div key={stage} className="plan-stage" data-testid="plan-stage">
            <h3>
              {planned?.label ?? `Visit ${stage}`}
              {planned && <span className="muted small"> · from {formatDate(planned.earliestDate)}</span>}
            </h3>
            <ul className="plan-items">
              {suggested.items
                .filter((item) => item.stage === stage)
                .map((item) => (
                  <ItemCard key={item.key} item={item} plan={plan} catalogue={catalogue} editable={editable} onChanged={onChanged} />
                ))}
            </ul>
          </div>
        );
      })}
    </section>
  );
}

function ItemCard({ item, plan, catalogue, editable, onChanged }: { item: PlanItem } & Props) {
  const { currency } = plan.current.suggested;
  const decision = decisionFor(plan, item.key);
  const cautions = plan.current.suggested.cautions.filter(
    (caution) => item.cautions.includes(caution.rule) || caution.itemKeys.includes(item.key),
  );
  const where = whereText(item.zoneId, item.side);
  return (
    <li className={`plan-item${decision ? ` decided ${decision.decision}` : ''}`} data-testid="plan-item" data-item-key={item.key}>
      <div className="plan-item-head">
        <h4>{where}</h4>
        <span className="plan-item-product">
          {item.productLabel} <span className="muted small">({TREATMENT_CLASS_LABELS[item.treatmentClass]})</span>
        </span>
        {item.offLabel && <span className="badge warn">Off-label</span>}
      </div>
      <dl className="facts plan-item-facts">
        <div>
          <dt>Dose range</dt>
          <dd>
            {formatDoseRange(item.dose)} <span className="muted">(planned {formatDose(item.plannedAmount, item.dose.unit)})</span>
          </dd>
        </div>
        <div>
          <dt>Cost</dt>
          <dd>
            {formatMoney(item.cost.planned, currency)}
            {item.cost.min !== item.cost.max && (
              <span className="muted"> ({formatMoney(item.cost.min, currency)}–{formatMoney(item.cost.max, currency)})</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Expected change</dt>
          <dd>{item.expectedChange.text}</dd>
        </div>
      </dl>
      <p className="plan-item-why">
        <span className="label">Why: </span>
        {item.rationale.text}
      </p>
      {cautions.length > 0 && (
        <ul className="item-cautions" aria-label={`Cautions for ${where}`}>
          {cautions.map((caution) => (
            <li key={caution.rule}>{caution.text}</li>
          ))}
        </ul>
      )}
      {decision && <DecisionLine decision={decision} plan={plan} />}
      {editable && <DecisionControls item={item} plan={plan} catalogue={catalogue} decision={decision} onChanged={onChanged} />}
    </li>
  );
}

/** The decision as recorded: what, why, who and when, and for a modification what the item became. */
function DecisionLine({ decision, plan }: { decision: DecisionEntry; plan: PlanView }) {
  const final = plan.current.final.find((item) => item.key === decision.itemKey);
  return (
    <div className={`decision-line ${decision.decision}`} data-testid="decision">
      <strong>{DECISION_LABELS[decision.decision]}</strong>
      {decision.decision === 'modified' && final && (
        <span>
          {' '}
          → {whereText(final.zoneId, final.side)}, {final.productLabel}, {formatDose(final.amount, final.unit)}, visit {final.stage}
        </span>
      )}
      {decision.reason && <span className="decision-reason">: “{decision.reason}”</span>}
      <span className="muted small block">
        {decision.decidedByName}, {formatDateTime(decision.decidedAt)}
      </span>
    </div>
  );
}

interface ControlsProps {
  item: PlanItem;
  plan: PlanView;
  catalogue: TreatmentCatalogue | null;
  decision: DecisionEntry | undefined;
  onChanged(plan: PlanView): void;
}

function DecisionControls({ item, plan, catalogue, decision, onChanged }: ControlsProps) {
  const [open, setOpen] = useState<'modify' | 'reject' | null>(null);
  const submission = useSubmission();
  const where = whereText(item.zoneId, item.side);

  const accept = () =>
    submission.run(async () => {
      onChanged(await api.put<PlanView>(planPaths.decision(plan, item.key), { decision: 'accept' }));
      setOpen(null);
    });
  const undo = () =>
    submission.run(async () => {
      onChanged(await api.delete<PlanView>(planPaths.decision(plan, item.key)));
      setOpen(null);
    });

  const done = (next: PlanView) => {
    onChanged(next);
    setOpen(null);
  };

  return (
    <div className="decision-controls">
      <div className="button-row" role="group" aria-label={`Decide on ${where}`}>
        <button type="button" className="button secondary small" disabled={submission.busy || decision?.decision === 'accepted'}
          onClick={() => void accept()}>
          Accept<span className="visually-hidden"> {where}</span>
        </button>
        <button type="button" className="button secondary small" aria-expanded={open === 'modify'}
          onClick={() => setOpen(open === 'modify' ? null : 'modify')}>
          Modify<span className="visually-hidden"> {where}</span>
        </button>
        <button type="button" className="button secondary small" aria-expanded={open === 'reject'}
          onClick={() => setOpen(open === 'reject' ? null : 'reject')}>
          Reject<span className="visually-hidden"> {where}</span>
        </button>
        {decision && (
          <button type="button" className="button secondary small" disabled={submission.busy} onClick={() => void undo()}>
            Undo<span className="visually-hidden"> the decision on {where}</span>
          </button>
        )}
      </div>
      <ProblemMessage error={submission.error} />
      {open === 'modify' && (
        <ModifyForm item={item} plan={plan} catalogue={catalogue} onDone={done} onCancel={() => setOpen(null)} />
      )}
      {open === 'reject' && <RejectForm item={item} plan={plan} onDone={done} onCancel={() => setOpen(null)} />}
    </div>
  );
}
