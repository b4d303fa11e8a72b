import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { api, downloadBlob, withQuery } from '../api';
import { PhotoProblem } from '../components/ConsentProblem';
import { AddedItems } from '../components/planning/AddedItems';
import { DecisionRecord } from '../components/planning/DecisionRecord';
import { Explanation, IntakeSummary, ScreeningFacts, VisitsAndCosts } from '../components/planning/PlanFacts';
import { planPaths } from '../components/planning/plan-helpers';
import { SuggestedItems } from '../components/planning/SuggestedItems';
import { TreatmentsSection } from '../components/planning/TreatmentsSection';
import { ProblemMessage } from '../components/Problem';
import { formatDate, formatDateTime, fullName } from '../format';
import { useResource, useSubmission } from '../hooks';
import { PLAN_STATUS_LABELS } from '../labels';
import { useSession } from '../session';
import type { Patient, PlanView, StoredCatalogue } from '../types';

export function PlanPage() {
  const { patientId = '', planId = '' } = useParams();
  return <PlanRecord key={planId} patientId={patientId} planId={planId} />;
}

function PlanRecord({ patientId, planId }: { patientId: string; planId: string }) {
  const session = useSession();
  // undefined: the latest version.
  const [version, setVersion] = useState<number | undefined>(undefined);
  const plan = useResource<PlanView>(withQuery(`/api/plans/${planId}`, { version }));
  const patient = useResource<Patient>(`/api/patients/${patientId}`);
  const catalogue = useResource<StoredCatalogue>(session.can('catalogue.read') ? '/api/catalogue' : null);
  const data = plan.data;

  const breadcrumb = (
    <p className="breadcrumb">
      <Link to={`/patients/${patientId}`}>{patient.data ? fullName(patient.data) : 'Patient'}</Link>
    </p>
  );
  if (plan.error && !data) {
    return (
      <section className="page">
        {breadcrumb}
        <h1>Treatment plan</h1>
        <ProblemMessage error={plan.error} />
      </section>
    );
  }
  if (!data) return <p className="page muted">Loading the plan…</p>;

  const current = data.current;
  const latest = Math.max(...data.versions.map((entry) => entry.version));
  const isLatest = current.version === latest;
  const editable = current.status === 'draft' && isLatest && session.can('plan.review') && !patient.data?.archived;
  const changed = (next: PlanView) => {
    plan.setData(next);
    setVersion(next.current.version === Math.max(...next.versions.map((entry) => entry.version)) ? undefined : next.current.version);
  };

  return (
    <div className="page plan-page">
      {breadcrumb}
      <header className="page-header">
        <div>
          <h1>Treatment plan</h1>
          <p className="muted">
            Consultation of {formatDate(data.consultation.createdAt)} · version {current.version} made by {current.createdByName}
          </p>
        </div>
        <div className="button-row">
          {data.consultation.photoId && session.can('simulation.read') && (
            <Link className="button secondary" to={withQuery(`/patients/${patientId}/plans/${planId}/simulate`, { version: isLatest ? undefined : current.version })}>
              Simulate the outcome
            </Link>
          )}
          <span className={`badge${current.status === 'signed' ? ' ok' : ' warn'}`} data-testid="plan-status">
            {PLAN_STATUS_LABELS[current.status]}
          </span>
          {data.versions.length > 1 && (
            <label className="version-select">
              <span>Version</span>
              <select value={current.version} onChange={(e) => setVersion(Number(e.target.value))}>
                {data.versions.map((entry) => (
                  <option key={entry.version} value={entry.version}>
                    {entry.version} ({PLAN_STATUS_LABELS[entry.status].toLowerCase()})
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
      </header>
      <ProblemMessage error={plan.error} />

      {current.status === 'signed' ? (
        <SignedPanel plan={data} isLatest={isLatest} onChanged={changed} />
      ) : (
        <ReviewPanel plan={data} isLatest={isLatest} onChanged={changed} />
      )}

      <IntakeSummary plan={data} />
      <SuggestedItems plan={data} catalogue={catalogue.data?.catalogue ?? null} editable={editable} onChanged={changed} />
      <AddedItems plan={data} catalogue={catalogue.data?.catalogue ?? null} editable={editable} onChanged={changed} />
      <ScreeningFacts plan={data} catalogue={catalogue.data?.catalogue ?? null} />
      <VisitsAndCosts plan={data} />
      <Explanation plan={data} />
      <DecisionRecord plan={data} />
      {current.status === 'signed' && session.can('treatment.read') && <TreatmentsSection plan={data} />}
    </div>
  );
}

interface PanelProps {
  plan: PlanView;
  isLatest: boolean;
  onChanged(plan: PlanView): void;
}

/** A draft: what still stops signing, and the signature for those who may sign. */
function ReviewPanel({ plan, isLatest, onChanged }: PanelProps) {
  const session = useSession();
  const signing = useSubmission();
  const { problems } = plan.current;
  const maySign = session.can('clinical.sign');
  // Undecided items are counted rather than listed one by one: the items below show which they are.
  const undecided = problems.filter((problem) => problem.code === 'incomplete').length;
  const others = problems.filter((problem) => problem.code !== 'incomplete');

  const sign = () =>
    signing.run(async () => {
      onChanged(await api.post<PlanView>(`${planPaths.version(plan)}/sign`));
    });

  return (
    <section className="card review-panel" aria-labelledby="review-heading" data-testid="review-panel">
      <h2 id="review-heading">Review</h2>
      {!isLatest ? (
        <p className="muted">A later version of this plan exists; this draft can no longer be changed.</p>
      ) : problems.length === 0 ? (
        <p>Every suggested item has a decision. The plan can be signed.</p>
      ) : (
        <>
          <p>Before the plan can be signed:</p>
          <ul className="reason-list" data-testid="review-problems">
            {undecided > 0 && (
              <li>
                {undecided} of {plan.current.suggested.items.length} suggested {undecided === 1 ? 'item has' : 'items have'} no decision yet:
                accept, modify or reject each below.
              </li>
            )}
            {others.map((problem, index) => (
              <li key={`${problem.code}-${problem.itemKey ?? ''}-${index}`}>{problem.message}</li>
            ))}
          </ul>
        </>
      )}
      {isLatest &&
        (maySign ? (
          <>
            {!session.user.registrationNumber && (
              <p className="notice warn">Your account has no professional registration number, which signing needs.</p>
            )}
            <div className="button-row">
              <button type="button" className="button primary" disabled={signing.busy || problems.length > 0} onClick={() => void sign()}>
                {signing.busy ? 'Signing…' : 'Sign plan'}
              </button>
            </div>
            <ProblemMessage error={signing.error} />
          </>
        ) : (
          <p className="muted">A clinician with a registration number reviews every item and signs the plan.</p>
        ))}
    </section>
  );
}

/** A signed version: who signed it, the summary for the patient, and the way to change it (a new version). */
function SignedPanel({ plan, isLatest, onChanged }: PanelProps) {
  const session = useSession();
  const starting = useSubmission();
  const download = useSubmission();
  const { current } = plan;

  const newVersion = () =>
    starting.run(async () => {
      onChanged(await api.post<PlanView>(`/api/plans/${plan.id}/versions`));
    });
  const pdf = () =>
    download.run(() => downloadBlob(`${planPaths.version(plan)}/summary.pdf`, `treatment-plan-v${current.version}.pdf`, 'application/pdf'));

  return (
    <section className="card review-panel signed" aria-labelledby="signed-heading" data-testid="signed-panel">
      <h2 id="signed-heading">Signed</h2>
      <p data-testid="signed-by">
        Signed by {current.signedByName ?? 'a clinician'}
        {current.signerRegistration && ` (registration ${current.signerRegistration})`} on {formatDateTime(current.signedAt)}. This
        version can no longer be changed.
      </p>
      <div className="button-row">
        <button type="button" className="button primary" disabled={download.busy} onClick={() => void pdf()}>
          {download.busy ? 'Preparing…' : 'Download summary PDF'}
        </button>
        {isLatest && session.can('plan.review') && (
          <button type="button" className="button secondary" disabled={starting.busy} onClick={() => void newVersion()}>
            Start a new version
          </button>
        )}
      </div>
      <ProblemMessage error={download.error} />
      <PhotoProblem error={starting.error} patientId={plan.patientId} />
    </section>
  );
}
