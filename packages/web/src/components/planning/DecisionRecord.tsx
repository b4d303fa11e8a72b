import { formatDateTime, formatDose, formatDoseRange, formatMoney } from '../../format';
import { DECISION_LABELS } from '../../labels';
import type { PlanView } from '../../types';
import { decisionFor, whereText } from './plan-helpers';

/**
 * The documentation of how the AI's suggestions were weighed: for every item what was proposed (as proposed),
 * the clinician's decision, reason, who and when, and the item as it will be done, with what the suggestion
 * was made from.
 */
export function DecisionRecord({ plan }: { plan: PlanView }) {
  const { records, provenance, suggested } = plan.current;
  const { currency } = suggested;
  return (
    <section className="card" aria-labelledby="record-heading" data-testid="decision-record">
      <h2 id="record-heading">Decision record</h2>
      <p className="hint">What the planner proposed, what the clinician decided and why. A signed version never changes.</p>
      {records.length === 0 ? (
        <p className="muted">No decisions yet.</p>
      ) : (
        <ol className="record-list">
          {records.map((record) => {
            const entry = decisionFor(plan, record.itemKey);
            const { proposed, final } = record;
            return (
              <li key={record.itemKey} className={`record ${record.decision}`} data-testid="record-item" data-decision={record.decision}>
                <div className="record-columns">
                  <div>
                    <p className="finding-kicker">AI proposal</p>
                    {proposed ? (
                      <p>
                        <strong>{whereText(proposed.zoneId, proposed.side)}</strong>: {proposed.productLabel},{' '}
                        {formatDoseRange(proposed.dose)} (planned {formatDose(proposed.plannedAmount, proposed.dose.unit)}), visit{' '}
                        {proposed.stage}
                        {proposed.offLabel && ', off-label'}
                        <span className="block muted small">{proposed.rationale.text}</span>
                      </p>
                    ) : (
                      <p className="muted">None: the clinician added this item.</p>
                    )}
                  </div>
                  <div>
                    <p className="finding-kicker">Decision</p>
                    <p>
                      <strong>{entry ? DECISION_LABELS[entry.decision] : record.decision ? DECISION_LABELS[record.decision] : 'No decision yet'}</strong>
                      {(record.reason ?? entry?.reason) && <span className="block">Reason: “{record.reason ?? entry?.reason}”</span>}
                      {entry ? (
                        <span className="block muted small">
                          {entry.decidedByName}, {formatDateTime(entry.decidedAt)}
                        </span>
                      ) : (
                        <span className="block muted small">Not decided yet</span>
                      )}
                    </p>
                  </div>
                  <div>
                    <p className="finding-kicker">Final item</p>
                    {final ? (
                      <p>
                        <strong>{whereText(final.zoneId, final.side)}</strong>: {final.productLabel}, {formatDose(final.amount, final.unit)}, visit{' '}
                        {final.stage}
                        {final.offLabel && ', off-label'}
                        <span className="block muted small">{formatMoney(final.cost, currency)}</span>
                      </p>
                    ) : (
                      <p className="muted">Not done.</p>
                    )}
                  </div>
                </div>
              </li>
            );
          })}
        </ol>
      )}
      <h3>Made from</h3>
      <dl className="facts provenance" data-testid="provenance">
        <div>
          <dt>Planner rules</dt>
          <dd>{provenance.rulesVersion}</dd>
        </div>
        <div>
          <dt>Face model</dt>
          <dd>{provenance.modelVersion}</dd>
        </div>
        <div>
          <dt>Catalogue version</dt>
          <dd>{provenance.catalogueVersion === 0 ? '0 (reference defaults)' : provenance.catalogueVersion}</dd>
        </div>
        <div className="span-all">
          <dt>Photo SHA-256</dt>
          <dd className="hash">{provenance.photoHashes.length === 0 ? 'No photo' : provenance.photoHashes.map((photo) => photo.sha256).join(', ')}</dd>
        </div>
        <div className="span-all">
          <dt>Analysis SHA-256</dt>
          <dd className="hash">{provenance.analysisHash ?? 'No analysis'}</dd>
        </div>
        <div className="span-all">
          <dt>Analysis method</dt>
          <dd>{provenance.analysisMethod ?? (provenance.analysisHash ? 'Not recorded (made before plans recorded it)' : 'No analysis')}</dd>
        </div>
      </dl>
    </section>
  );
}
