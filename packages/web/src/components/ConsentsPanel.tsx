import { useState, type FormEvent } from 'react';
import { CONSENT_TYPE_LABELS } from '@contour/domain/consent';
import { api } from '../api';
import { formatDateTime } from '../format';
import { useResource, useSubmission } from '../hooks';
import { PURPOSE_QUESTIONS } from '../labels';
import { useSession } from '../session';
import type { Consent, ConsentStatus, ConsentTemplate, Patient, User } from '../types';
import { Field } from './Field';
import { ProblemMessage, fieldError } from './Problem';
import { SignaturePad } from './SignaturePad';

interface ConsentsAnswer {
  items: Consent[];
  status: ConsentStatus[];
}

export function ConsentsPanel({ patient }: { patient: Patient }) {
  const session = useSession();
  const consents = useResource<ConsentsAnswer>(`/api/patients/${patient.id}/consents`);
  // Names of the people who recorded consents; the front desk and clinicians may list colleagues too.
  const users = useResource<{ items: User[] }>(session.can('user.read') ? '/api/users' : null);
  const [recording, setRecording] = useState(false);
  const userName = (id: string) => users.data?.items.find((user) => user.id === id)?.displayName ?? 'a colleague';
  const mayRecord = session.can('consent.record') && session.can('consentTemplate.read') && !patient.erased && !patient.archived;

  const history = [...(consents.data?.items ?? [])].sort((a, b) => b.signedAt.localeCompare(a.signedAt));

  return (
    <section className="card" id="consents" aria-labelledby="consents-heading" data-testid="consents-panel">
      <div className="section-header">
        <h2 id="consents-heading">Consents</h2>
        {mayRecord && !recording && (
          <button type="button" className="button primary" onClick={() => setRecording(true)}>
            Record consent
          </button>
        )}
      </div>
      <ProblemMessage error={consents.error} />

      {recording && (
        <RecordConsentForm
          patient={patient}
          onDone={(recorded) => {
            setRecording(false);
            if (recorded) consents.reload();
          }}
        />
      )}

      {consents.data && (
        <>
          <h3>What the patient has agreed to</h3>
          <ul className="purposes" data-testid="consent-status">
            {consents.data.status.map((status) => (
              <li key={status.purpose} className="purpose" data-testid={`purpose-${status.purpose}`}>
                <span className="purpose-question">{PURPOSE_QUESTIONS[status.purpose]}</span>
                <span className={`answer ${status.allowed ? 'yes' : 'no'}`} data-testid="purpose-answer">
                  {status.allowed ? 'Yes' : 'No'}
                </span>
                {!status.allowed && status.reason && <span className="purpose-reason">{status.reason}</span>}
              </li>
            ))}
          </ul>

          <h3>Consent history</h3>
          {history.length === 0 ? (
            <p className="muted">No consents recorded yet.</p>
          ) : (
            <ul className="consent-history">
              {history.map((consent) => (
                <ConsentEntry
                  key={consent.id}
                  patientId={patient.id}
                  consent={consent}
                  recordedBy={userName(consent.recordedBy)}
                  mayWithdraw={session.can('consent.withdraw') && !patient.erased}
                  // Erasure shreds the signature images along with the patient's other files.
                  showSignature={!patient.erased}
                  onWithdrawn={consents.reload}
                />
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}

function consentState(consent: Consent): { label: string; tone: 'ok' | 'muted' | 'warn' } {
  if (consent.withdrawnAt) return { label: 'Withdrawn', tone: 'muted' };
  if (consent.inForce) return { label: 'In force', tone: 'ok' };
  return { label: 'Expired', tone: 'warn' };
}

interface ConsentEntryProps {
  patientId: string;
  consent: Consent;
  recordedBy: string;
  mayWithdraw: boolean;
  showSignature: boolean;
  onWithdrawn(): void;
}

function ConsentEntry({ patientId, consent, recordedBy, mayWithdraw, showSignature, onWithdrawn }: ConsentEntryProps) {
  const [withdrawing, setWithdrawing] = useState(false);
  const [reason, setReason] = useState('');
  const submission = useSubmission();
  const state = consentState(consent);

  const withdraw = async (event: FormEvent) => {
    event.preventDefault();
    const done = await submission.run(async () => {
      await api.post<Consent>(`/api/patients/${patientId}/consents/${consent.id}/withdraw`, { reason: reason.trim() });
    });
    if (done) {
      setWithdrawing(false);
      onWithdrawn();
    }
  };

  return (
    <li className="consent" data-testid="consent-entry" data-consent-type={consent.type}>
      <div className="consent-main">
        <div>
          <p className="consent-title">
            {consent.title} <span className="muted">version {consent.templateVersion}</span>
          </p>
          <p className="muted">
            Signed by {consent.signedName || 'the patient (name erased)'} on {formatDateTime(consent.signedAt)}, recorded by{' '}
            {recordedBy}
          </p>
          {consent.withdrawnAt && (
            <p className="muted">
              Withdrawn {formatDateTime(consent.withdrawnAt)}
              {consent.withdrawalReason ? `: “${consent.withdrawalReason}”` : ''}
            </p>
          )}
        </div>
        <span className={`badge ${state.tone}`} data-testid="consent-state">
          {state.label}
        </span>
      </div>
      {consent.hasSignature && showSignature && (
        <img
          className="signature-image"
          src={`/api/patients/${patientId}/consents/${consent.id}/signature`}
          alt={`Signature of ${consent.signedName}`}
          loading="lazy"
        />
      )}
      {mayWithdraw && consent.inForce && !withdrawing && (
        <div className="button-row">
          <button type="button" className="button secondary" onClick={() => setWithdrawing(true)}>
            Withdraw…
          </button>
        </div>
      )}
      {withdrawing && (
        <form className="inline-form" onSubmit={withdraw}>
          <Field label="Reason for withdrawal" hint="Recorded with the consent, e.g. “Patient asked by phone”."
            error={fieldError(submission.error, 'reason')}>
            {(c) => (
              <textarea id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required rows={2}
                value={reason} onChange={(e) => setReason(e.target.value)} />
            )}
          </Field>
          <ProblemMessage error={submission.error} />
          <div className="button-row">
            <button type="submit" className="button danger" disabled={submission.busy || reason.trim() === ''}>
              Withdraw consent
            </button>
            <button type="button" className="button secondary" onClick={() => setWithdrawing(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </li>
  );
}

function RecordConsentForm({ patient, onDone }: { patient: Patient; onDone(recorded: boolean): void }) {
  const templates = useResource<{ items: ConsentTemplate[] }>('/api/consent-templates');
  const [templateId, setTemplateId] = useState('');
  const [signedName, setSignedName] = useState('');
  const [signature, setSignature] = useState<string | null>(null);
  const submission = useSubmission();
  const current = (templates.data?.items ?? []).filter((template) => template.current);
  const template = current.find((item) => item.id === templateId);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!template || !signature) return;
    const done = await submission.run(async () => {
      await api.post<Consent>(`/api/patients/${patient.id}/consents`, {
        templateId: template.id,
        signedName: signedName.trim(),
        signature,
      });
    });
    if (done) onDone(true);
  };

  return (
    <form className="record-consent" onSubmit={submit} aria-labelledby="record-consent-heading">
      <h3 id="record-consent-heading">Record consent</h3>
      <ProblemMessage error={templates.error} />
      <Field label="Consent form" error={fieldError(submission.error, 'templateId')}>
        {(c) => (
          <select id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required value={templateId}
            onChange={(e) => setTemplateId(e.target.value)}>
            <option value="">Choose a consent…</option>
            {current.map((item) => (
              <option key={item.id} value={item.id}>
                {CONSENT_TYPE_LABELS[item.type]} (version {item.version})
              </option>
            ))}
          </select>
        )}
      </Field>
      {template && (
        <>
          <article className="consent-text" data-testid="consent-text" tabIndex={0} aria-label={`${template.title}, full text`}>
            <h4>{template.title}</h4>
            <p className="pre">{template.body}</p>
            <p className="muted">
              {template.validForMonths === null
                ? 'Valid until withdrawn.'
                : `Valid for ${template.validForMonths} months from signing, unless withdrawn.`}
            </p>
          </article>
          <p>Please hand the tablet to the patient to read the text above, type their full name and sign.</p>
          <Field label="Patient's full name" hint={`As on their record: ${patient.givenName} ${patient.familyName}`}
            error={fieldError(submission.error, 'signedName')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required autoComplete="off"
                value={signedName} onChange={(e) => setSignedName(e.target.value)} />
            )}
          </Field>
          <div className={`field${fieldError(submission.error, 'signature') ? ' field-invalid' : ''}`}>
            <span className="label">Signature</span>
            <SignaturePad label="Signature pad" onChange={setSignature} />
            {fieldError(submission.error, 'signature') && (
              <p className="field-error">{fieldError(submission.error, 'signature')}</p>
            )}
          </div>
        </>
      )}
      <ProblemMessage error={submission.error} />
      <div className="button-row">
        <button type="submit" className="button primary"
          disabled={submission.busy || !template || !signature || signedName.trim() === ''}>
          {submission.busy ? 'Recording…' : 'Sign and record consent'}
        </button>
        <button type="button" className="button secondary" onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
