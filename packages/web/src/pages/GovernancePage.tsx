import { ProblemMessage } from '../components/Problem';
import { formatDateTime } from '../format';
import { useResource } from '../hooks';
import { TREATMENT_CLASS_LABELS, ZONE_LABELS } from '../labels';
import type { GovernanceQuestion, GovernanceReport, ReasonCount, ShareCounts } from '../types';

const percent = (share: number | null): string => (share === null ? '—' : `${Math.round(share * 100)}%`);

/** "imageReads30d" → "Image reads (30 days)". */
function figureLabel(key: string): string {
  const words = key
    .replace(/(\d+)d$/, ' ($1 days)')
    .replace(/([A-Z])/g, ' $1')
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The practice's AI governance: the five questions answered from live data, and how clinicians weighed the
 * planner's suggestions. Aggregates only, never a patient, so analysts see it too.
 */
export function GovernancePage() {
  const report = useResource<GovernanceReport>('/api/stats/ai-governance');
  const data = report.data;
  return (
    <div className="page governance-page">
      <h1>AI governance</h1>
      <p className="hint">
        How AI is used in this clinic and how clinicians weigh its suggestions, from the live records. Figures count signed
        plans only; no patient is named.
      </p>
      <ProblemMessage error={report.error} />
      {!data && !report.error && <p className="muted">Loading…</p>}
      {data && (
        <>
          <p className="muted">Made {formatDateTime(data.generatedAt)}</p>
          <section className="card" aria-labelledby="questions-heading">
            <h2 id="questions-heading">Five questions</h2>
            <ol className="governance-questions" data-testid="governance-questions">
              {data.questions.map((question) => (
                <Question key={question.id} question={question} />
              ))}
            </ol>
          </section>
          <DecisionSharesSection report={data} />
        </>
      )}
    </div>
  );
}

function Question({ question }: { question: GovernanceQuestion }) {
  const figures = Object.entries(question.figures);
  return (
    <li className={`governance-question ${question.status}`} data-testid="governance-question" data-question={question.id}>
      <h3>
        {question.question}{' '}
        <span className={`badge${question.status === 'ok' ? ' ok' : ' warn'}`}>{question.status === 'ok' ? 'In order' : 'Needs attention'}</span>
      </h3>
      <p>{question.answer}</p>
      {figures.length > 0 && (
        <dl className="figures">
          {figures.map(([key, value]) => (
            <div key={key}>
              <dt>{figureLabel(key)}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
      )}
    </li>
  );
}

function DecisionSharesSection({ report }: { report: GovernanceReport }) {
  const shares = report.decisions;
  const { overall } = shares;
  const rows: { decision: 'accepted' | 'modified' | 'rejected'; label: string; count: number; share: number | null }[] = [
    { decision: 'accepted', label: 'Accepted as suggested', count: overall.accepted, share: overall.acceptedShare },
    { decision: 'modified', label: 'Modified', count: overall.modified, share: overall.modifiedShare },
    { decision: 'rejected', label: 'Rejected', count: overall.rejected, share: overall.rejectedShare },
  ];
  return (
    <section className="card" aria-labelledby="shares-heading">
      <h2 id="shares-heading">How clinicians weighed the AI suggestions</h2>
      <p className="hint">
        Shares are of the suggestions decided in signed plans; items clinicians added were never suggested and are counted
        beside them.
      </p>
      <div className="table-wrap">
        <table className="table" data-testid="shares-overall">
          <caption className="visually-hidden">All suggestions</caption>
          <thead>
            <tr>
              <th scope="col">Decision</th>
              <th scope="col" className="num">Items</th>
              <th scope="col" className="num">Share</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.decision} data-decision={row.decision}>
                <th scope="row">{row.label}</th>
                <td className="num" data-count={row.count}>
                  {row.count}
                </td>
                <td className="num">{percent(row.share)}</td>
              </tr>
            ))}
            <tr className="total" data-decision="suggested">
              <th scope="row">Suggestions decided</th>
              <td className="num" data-count={overall.suggested}>
                {overall.suggested}
              </td>
              <td className="num">{overall.suggested > 0 ? '100%' : '—'}</td>
            </tr>
            <tr data-decision="added">
              <th scope="row">Added by clinicians</th>
              <td className="num" data-count={overall.added}>
                {overall.added}
              </td>
              <td className="num muted">not a suggestion</td>
            </tr>
          </tbody>
        </table>
      </div>
      <SharesTable title="By zone" testId="shares-by-zone"
        rows={shares.byZone.map((row) => ({ key: row.zoneId, label: ZONE_LABELS[row.zoneId] ?? row.zoneId, counts: row }))} />
      <SharesTable title="By treatment" testId="shares-by-treatment"
        rows={shares.byTreatmentClass.map((row) => ({ key: row.treatmentClass, label: TREATMENT_CLASS_LABELS[row.treatmentClass] ?? row.treatmentClass, counts: row }))} />
      <SharesTable title="By clinician" testId="shares-by-clinician"
        rows={shares.byClinician.map((row) => ({ key: row.clinicianId, label: row.clinicianName, counts: row }))} />
      <div className="two-columns" data-testid="top-reasons">
        <Reasons title="Top reasons for rejecting" reasons={shares.topRejectionReasons} />
        <Reasons title="Top reasons for modifying" reasons={shares.topModificationReasons} />
      </div>
    </section>
  );
}

interface ShareRow {
  key: string;
  label: string;
  counts: ShareCounts;
}

function SharesTable({ title, testId, rows }: { title: string; testId: string; rows: ShareRow[] }) {
  const id = `${testId}-heading`;
  const cell = (count: number, share: number | null) => (
    <td className="num nowrap">
      {count} <span className="muted small">({percent(share)})</span>
    </td>
  );
  return (
    <>
      <h3 id={id}>{title}</h3>
      {rows.length === 0 ? (
        <p className="muted">No decisions in signed plans yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-labelledby={id} data-testid={testId}>
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Group</span>
                </th>
                <th scope="col" className="num">Suggestions</th>
                <th scope="col" className="num">Accepted</th>
                <th scope="col" className="num">Modified</th>
                <th scope="col" className="num">Rejected</th>
                <th scope="col" className="num">Added</th>
              </tr>
            </thead>
            <tbody>
              {[...rows].sort((a, b) => a.label.localeCompare(b.label)).map((row) => (
                <tr key={row.key}>
                  <th scope="row">{row.label}</th>
                  <td className="num">{row.counts.suggested}</td>
                  {cell(row.counts.accepted, row.counts.acceptedShare)}
                  {cell(row.counts.modified, row.counts.modifiedShare)}
                  {cell(row.counts.rejected, row.counts.rejectedShare)}
                  <td className="num">{row.counts.added}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function Reasons({ title, reasons }: { title: string; reasons: ReasonCount[] }) {
  return (
    <div>
      <h3>{title}</h3>
      {reasons.length === 0 ? (
        <p className="muted">None yet.</p>
      ) : (
        <ol className="reason-list">
          {reasons.map((reason) => (
            <li key={reason.reason}>
              “{reason.reason}” <span className="muted">× {reason.count}</span>
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
