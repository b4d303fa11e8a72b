import { useState, type FormEvent } from 'react';
import { api } from '../../api';
import { formatDate, formatDose, localToday } from '../../format';
import { useResource, useSubmission } from '../../hooks';
import { DEVIATION_LABELS } from '../../labels';
import { useSession } from '../../session';
import type { FinalPlanItem, PlanView, TreatmentRecord } from '../../types';
import { PhotoProblem } from '../ConsentProblem';
import { ProblemMessage } from '../Problem';
import { whereText } from './plan-helpers';

/** What was done against a signed version: the records with their deviations, and the form to record a visit. */
export function TreatmentsSection({ plan }: { plan: PlanView }) {
  const session = useSession();
  const records = useResource<{ items: TreatmentRecord[] }>(`/api/patients/${plan.patientId}/treatments`);
  const mine = (records.data?.items ?? []).filter((record) => record.planId === plan.id);
  return (
    <section className="card" aria-labelledby="treatments-heading" data-testid="treatments">
      <h2 id="treatments-heading">Treatments performed</h2>
      <ProblemMessage error={records.error} />
      {records.data &&
        (mine.length === 0 ? (
          <p className="muted">Nothing recorded against this plan yet.</p>
        ) : (
          <ul className="record-list">
            {mine.map((record) => (
              <TreatmentEntry key={record.id} record={record} />
            ))}
          </ul>
        ))}
      {session.can('treatment.record') && <RecordVisitForm plan={plan} onRecorded={() => records.reload()} />}
    </section>
  );
}

function TreatmentEntry({ record }: { record: TreatmentRecord }) {
  return (
    <li className="record" data-testid="treatment-record">
      <p>
        <strong>
          {formatDate(record.performedOn)}
          {record.stage !== null && `, visit ${record.stage}`}
        </strong>{' '}
        <span className="muted">
          by {record.injectorName} (version {record.planVersion})
        </span>
      </p>
      <ul className="reason-list">
        {record.items.map((item, index) => (
          <li key={`${item.planItemKey ?? ''}-${index}`}>
            {whereText(item.zoneId, item.side)}: {item.productLabel} {formatDose(item.amount, item.unit)}{' '}
            <span className="muted small">
              lot {item.lotNumber}, expires {formatDate(item.expiryDate)}
            </span>
          </li>
        ))}
      </ul>
      {record.notes && <p className="pre">{record.notes}</p>}
      {record.deviations.length === 0 ? (
        <p className="muted small">Done as planned.</p>
      ) : (
        <ul className="deviations" data-testid="deviations" aria-label="Deviations from the plan">
          {record.deviations.map((deviation, index) => (
            <li key={index}>
              <span className="badge warn">{DEVIATION_LABELS[deviation.kind]}</span> {deviation.text}
            </li>
          ))}
        </ul>
      )}
    </li>
  );
}

interface Row {
  item: FinalPlanItem;
  done: boolean;
  amount: string;
  lotNumber: string;
  expiryDate: string;
}

const rowsFor = (plan: PlanView, stage: number): Row[] =>
  plan.current.final
    .filter((item) => item.stage === stage)
    .map((item) => ({ item, done: true, amount: String(item.amount), lotNumber: '', expiryDate: '' }));

function RecordVisitForm({ plan, onRecorded }: { plan: PlanView; onRecorded(): void }) {
  const stages = [...new Set(plan.current.final.map((item) => item.stage))].sort((a, b) => a - b);
  const [stage, setStage] = useState(stages[0] ?? 1);
  const [performedOn, setPerformedOn] = useState(localToday);
  const [rows, setRows] = useState<Row[]>(() => rowsFor(plan, stages[0] ?? 1));
  const [notes, setNotes] = useState('');
  const [open, setOpen] = useState(false);
  const submission = useSubmission();

  const chooseStage = (next: number) => {
    setStage(next);
    setRows(rowsFor(plan, next));
  };
  const update = (index: number, change: Partial<Row>) => setRows((list) => list.map((row, i) => (i === index ? { ...row, ...change } : row)));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const done = await submission.run(async () => {
      await api.post<TreatmentRecord>(`/api/patients/${plan.patientId}/treatments`, {
        planId: plan.id,
        planVersion: plan.current.version,
        stage,
        performedOn,
        notes: notes.trim(),
        items: rows
          .filter((row) => row.done)
          .map((row) => ({
            planItemKey: row.item.key,
            productId: row.item.productId,
            zoneId: row.item.zoneId,
            side: row.item.side,
            amount: Number(row.amount),
            lotNumber: row.lotNumber.trim(),
            expiryDate: row.expiryDate,
          })),
      });
    });
    if (done) {
      setOpen(false);
      setNotes('');
      setRows(rowsFor(plan, stage));
      onRecorded();
    }
  };

  if (!open) {
    return (
      <div className="button-row">
        <button type="button" className="button primary" onClick={() => setOpen(true)}>
          Record a visit
        </button>
      </div>
    );
  }
  return (
    <form className="inline-form" onSubmit={(event) => void submit(event)} aria-labelledby="record-visit-heading">
      <h3 id="record-visit-heading">Record a visit</h3>
      <div className="grid">
        <div className="field">
          <label htmlFor="treatment-stage">Visit</label>
          <select id="treatment-stage" value={stage} onChange={(e) => chooseStage(Number(e.target.value))}>
            {stages.map((value) => (
              <option key={value} value={value}>
                Visit {value}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="treatment-date">Date performed</label>
          <input id="treatment-date" type="date" required max={localToday()} value={performedOn} onChange={(e) => setPerformedOn(e.target.value)} />
        </div>
      </div>
      <div className="table-wrap">
        <table className="table treatment-rows">
          <thead>
            <tr>
              <th scope="col">Done</th>
              <th scope="col">Item</th>
              <th scope="col">Amount</th>
              <th scope="col">Lot number</th>
              <th scope="col">Expiry date</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row, index) => {
              const where = whereText(row.item.zoneId, row.item.side);
              return (
                <tr key={row.item.key}>
                  <td>
                    <input type="checkbox" checked={row.done} onChange={(e) => update(index, { done: e.target.checked })}
                      aria-label={`Done: ${where}`} />
                  </td>
                  <th scope="row">
                    {where}
                    <span className="muted small block">
                      {row.item.productLabel}, planned {formatDose(row.item.amount, row.item.unit)}
                    </span>
                  </th>
                  <td>
                    <input type="number" min={0} step="any" inputMode="decimal" required={row.done} disabled={!row.done} value={row.amount}
                      onChange={(e) => update(index, { amount: e.target.value })} aria-label={`Amount (${row.item.unit}): ${where}`} />
                  </td>
                  <td>
                    <input required={row.done} disabled={!row.done} maxLength={60} value={row.lotNumber}
                      onChange={(e) => update(index, { lotNumber: e.target.value })} aria-label={`Lot number: ${where}`} />
                  </td>
                  <td>
                    <input type="date" required={row.done} disabled={!row.done} value={row.expiryDate}
                      onChange={(e) => update(index, { expiryDate: e.target.value })} aria-label={`Expiry date: ${where}`} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="field">
        <label htmlFor="treatment-notes">Notes</label>
        <textarea id="treatment-notes" rows={3} maxLength={4000} value={notes} onChange={(e) => setNotes(e.target.value)} />
      </div>
      <PhotoProblem error={submission.error} patientId={plan.patientId} />
      <div className="button-row">
        <button type="submit" className="button primary" disabled={submission.busy || !rows.some((row) => row.done)}>
          Save the visit
        </button>
        <button type="button" className="button secondary" onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
