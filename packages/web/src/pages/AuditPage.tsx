import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { ROLE_LABELS, isRole } from '@contour/domain/policy';
import { api, isAbort, withQuery } from '../api';
import { Field } from '../components/Field';
import { ProblemMessage } from '../components/Problem';
import { formatDateTime } from '../format';
import { useResource, useSubmission } from '../hooks';
import { useSession } from '../session';
import type { AuditEntry, AuditOutcome, AuditVerification, User } from '../types';

const PAGE_SIZE = 50;

interface Filters {
  event: string;
  outcome: AuditOutcome | '';
  actorUserId: string;
  patientId: string;
  from: string;
  to: string;
}

const NO_FILTERS: Filters = { event: '', outcome: '', actorUserId: '', patientId: '', from: '', to: '' };

const ACTION_LABELS: Record<AuditEntry['action'], string> = {
  C: 'Create',
  R: 'Read',
  U: 'Update',
  D: 'Delete',
  E: 'Execute',
};

/** Dates are picked in the clinic's local time; the whole "to" day is included. */
function auditQuery(filters: Filters, before: number | null): string {
  const startOf = (day: string) => new Date(`${day}T00:00:00`).toISOString();
  const endOf = (day: string) => new Date(`${day}T23:59:59.999`).toISOString();
  return withQuery('/api/audit', {
    event: filters.event.trim(),
    outcome: filters.outcome,
    actorUserId: filters.actorUserId,
    patientId: filters.patientId.trim(),
    from: filters.from ? startOf(filters.from) : '',
    to: filters.to ? endOf(filters.to) : '',
    before,
    limit: PAGE_SIZE,
  });
}

interface Page {
  items: AuditEntry[];
  nextBefore: number | null;
}

export function AuditPage() {
  const session = useSession();
  const users = useResource<{ items: User[] }>(session.can('user.read') ? '/api/users' : null);
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [applied, setApplied] = useState<Filters>(NO_FILTERS);
  const [page, setPage] = useState<Page | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    setPage(null);
    api
      .get<Page>(auditQuery(applied, null), controller.signal)
      .then((answer) => {
        setPage(answer);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (!isAbort(caught)) setError(caught);
      });
    return () => controller.abort();
  }, [applied]);

  const loadMore = async () => {
    if (!page || page.nextBefore === null) return;
    setLoadingMore(true);
    try {
      const next = await api.get<Page>(auditQuery(applied, page.nextBefore));
      setPage({ items: [...page.items, ...next.items], nextBefore: next.nextBefore });
    } catch (caught) {
      setError(caught);
    } finally {
      setLoadingMore(false);
    }
  };

  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setDraft((current) => ({ ...current, [key]: value }));
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setApplied({ ...draft });
  };
  const reset = () => {
    setDraft(NO_FILTERS);
    setApplied({ ...NO_FILTERS });
  };

  return (
    <section className="page">
      <div className="page-header">
        <h1>Audit trail</h1>
        {session.can('audit.verify') && <VerifyChain />}
      </div>
      <p className="hint">Every read and change of patient data, newest first. Entries are chained so tampering shows.</p>

      <form className="card filters" onSubmit={apply} aria-label="Audit filters">
        <div className="grid filters-grid">
          <Field label="Event starts with" hint="e.g. patient. or consent.record">
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} value={draft.event} autoComplete="off" spellCheck={false}
                onChange={(e) => set('event', e.target.value)} />
            )}
          </Field>
          <Field label="Outcome">
            {(c) => (
              <select id={c.id} value={draft.outcome} onChange={(e) => set('outcome', e.target.value as Filters['outcome'])}>
                <option value="">Any</option>
                <option value="success">Success</option>
                <option value="denied">Denied</option>
                <option value="failure">Failure</option>
              </select>
            )}
          </Field>
          <Field label="Who">
            {(c) =>
              users.data ? (
                <select id={c.id} value={draft.actorUserId} onChange={(e) => set('actorUserId', e.target.value)}>
                  <option value="">Anyone</option>
                  {users.data.items.map((user) => (
                    <option key={user.id} value={user.id}>
                      {user.displayName} ({user.email})
                    </option>
                  ))}
                </select>
              ) : (
                <input id={c.id} value={draft.actorUserId} placeholder="User id" autoComplete="off"
                  onChange={(e) => set('actorUserId', e.target.value)} />
              )
            }
          </Field>
          <Field label="Patient id">
            {(c) => (
              <input id={c.id} value={draft.patientId} autoComplete="off" spellCheck={false}
                onChange={(e) => set('patientId', e.target.value)} />
            )}
          </Field>
          <Field label="From">
            {(c) => <input id={c.id} type="date" value={draft.from} onChange={(e) => set('from', e.target.value)} />}
          </Field>
          <Field label="To">
            {(c) => <input id={c.id} type="date" value={draft.to} onChange={(e) => set('to', e.target.value)} />}
          </Field>
        </div>
        <div className="button-row">
          <button type="submit" className="button primary">
            Apply filters
          </button>
          <button type="button" className="button secondary" onClick={reset}>
            Clear filters
          </button>
        </div>
      </form>

      <ProblemMessage error={error} />
      {!page && !error && <p className="muted">Loading…</p>}
      {page && page.items.length === 0 && <p className="muted">No audit entries match.</p>}
      {page && page.items.length > 0 && (
        <div className="table-wrap">
          <table className="table audit-table" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Outcome</th>
                <th scope="col">Who</th>
                <th scope="col">Patient</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((entry) => (
                <AuditRow key={entry.seq} entry={entry} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {page && page.nextBefore !== null && (
        <div className="actions">
          <button type="button" className="button secondary" onClick={() => void loadMore()} disabled={loadingMore}>
            {loadingMore ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </section>
  );
}

function AuditRow({ entry }: { entry: AuditEntry }) {
  const hasDetail = Object.keys(entry.detail).length > 0;
  return (
    <tr data-testid="audit-row" data-event={entry.event}>
      <td className="num" data-label="Entry">{entry.seq}</td>
      <td className="nowrap" data-label="When">{formatDateTime(entry.recordedAt)}</td>
      <td data-label="Event">
        <code>{entry.event}</code>
        <span className="muted block">{ACTION_LABELS[entry.action]}</span>
      </td>
      <td data-label="Outcome">
        <span className={`badge ${entry.outcome === 'success' ? 'ok' : entry.outcome === 'denied' ? 'warn' : 'danger'}`}>
          {entry.outcome}
        </span>
      </td>
      <td data-label="Who">
        {entry.actorEmail ?? (entry.actorUserId ? 'Unknown user' : 'System')}
        {entry.actorRole && (
          <span className="muted block">{isRole(entry.actorRole) ? ROLE_LABELS[entry.actorRole] : entry.actorRole}</span>
        )}
        {entry.sourceIp && <span className="muted block">{entry.sourceIp}</span>}
      </td>
      <td data-label="Patient">
        {entry.patientId ? (
          <Link to={`/patients/${entry.patientId}`} title={entry.patientId}>
            <code>{entry.patientId.slice(0, 8)}</code>
          </Link>
        ) : (
          '—'
        )}
      </td>
      <td data-label="Detail">
        {hasDetail ? (
          <details>
            <summary>Show</summary>
            <pre className="detail-json">{JSON.stringify(entry.detail, null, 2)}</pre>
          </details>
        ) : (
          '—'
        )}
      </td>
    </tr>
  );
}

function VerifyChain() {
  const submission = useSubmission();
  const [result, setResult] = useState<AuditVerification | null>(null);
  const verify = () =>
    void submission.run(async () => {
      setResult(null);
      setResult(await api.get<AuditVerification>('/api/audit/verify'));
    });
  return (
    <div className="verify">
      <button type="button" className="button secondary" onClick={verify} disabled={submission.busy}>
        {submission.busy ? 'Verifying…' : 'Verify chain'}
      </button>
      <div aria-live="polite" data-testid="verify-result">
        {result &&
          (result.ok ? (
            <p className="verify-result ok">
              Chain intact: {result.checked} {result.checked === 1 ? 'entry' : 'entries'} checked.{' '}
              {result.checkpoint?.seq && result.checkpoint.recordedAt
                ? `It reaches entry ${result.checkpoint.seq}, recorded outside the database on ${formatDateTime(result.checkpoint.recordedAt)}, so none of the newest entries were deleted.`
                : 'Its head is now recorded outside the database; later checks will show if any of the newest entries are deleted.'}
            </p>
          ) : (
            <p className="verify-result bad">
              Chain broken at entry {result.firstBreak?.seq ?? '?'}: {result.firstBreak?.reason ?? 'unknown reason'} (
              {result.checked} checked).
            </p>
          ))}
        <ProblemMessage error={submission.error} />
      </div>
    </div>
  );
}
