import { useState } from 'react';
import { CONSENT_TYPES, CONSENT_TYPE_LABELS } from '@contour/domain/consent';
import { ACQUISITION_CHANNELS } from '@contour/domain/patient';
import { api } from '../api';
import { ProblemMessage } from '../components/Problem';
import { formatMonth } from '../format';
import { useResource, useSubmission } from '../hooks';
import { CHANNEL_LABELS, ZONE_LABELS } from '../labels';
import { useSession } from '../session';
import type { GradingAgreement, StatsOverview } from '../types';

function labelFor<K extends string>(labels: Record<K, string>, keys: readonly K[], value: string): string {
  return (keys as readonly string[]).includes(value) ? labels[value as K] : value;
}

/** Practice figures: counts only, never individual patients, so analysts can see them too. */
export function OverviewPage() {
  const stats = useResource<StatsOverview>('/api/stats/overview');
  const data = stats.data;
  return (
    <div className="page">
      <h1>Overview</h1>
      <ProblemMessage error={stats.error} />
      {!data && !stats.error && <p className="muted">Loading…</p>}
      {data && (
        <>
          <section aria-labelledby="patients-heading">
            <h2 id="patients-heading" className="visually-hidden">
              Patients
            </h2>
            <div className="stat-cards">
              <Stat label="Patients" value={data.patients.total} />
              <Stat label="Active" value={data.patients.active} />
              <Stat label="Archived" value={data.patients.archived} />
            </div>
          </section>
          <div className="two-columns">
            <BarTable
              title="How patients found us"
              rows={[...data.byChannel]
                .sort((a, b) => b.count - a.count)
                .map((row) => ({ key: row.channel, label: labelFor(CHANNEL_LABELS, ACQUISITION_CHANNELS, row.channel), count: row.count }))}
            />
            <BarTable
              title="New patients by month"
              rows={[...data.newByMonth]
                .sort((a, b) => a.month.localeCompare(b.month))
                .map((row) => ({ key: row.month, label: formatMonth(row.month), count: row.count }))}
            />
            <BarTable
              title="Consents in force"
              rows={data.consentsInForce.map((row) => ({
                key: row.type,
                label: labelFor(CONSENT_TYPE_LABELS, CONSENT_TYPES, row.type),
                count: row.count,
              }))}
            />
          </div>
        </>
      )}
      <AgreementTable />
    </div>
  );
}

/**
 * Queues every photo an earlier analysis method analysed, in batches (the server takes up to 100 per call), for
 * whoever may capture photos; the grades count again once their photos are analysed.
 */
function AnalyseEarlierMethod() {
  const mayAnalyse = useSession().can('photo.capture');
  const submission = useSubmission();
  const [done, setDone] = useState<{ queued: number; skipped: number } | null>(null);
  if (!mayAnalyse) return null;
  const run = () =>
    void submission.run(async () => {
      let queued = 0, skipped = 0;
      for (;;) {
        const batch = await api.post<{ queued: number; skipped: number; remaining: number }>('/api/photos/analyse-earlier-method');
        queued += batch.queued;
        skipped += batch.skipped;
        if (batch.remaining === 0 || batch.queued === 0) break;
      }
      setDone({ queued, skipped });
    });
  return (
    <div className="button-row">
      <button type="button" className="button secondary small" disabled={submission.busy || done !== null} onClick={run}>
        {submission.busy ? 'Queuing…' : 'Analyse those photos again'}
      </button>
      {done && (
        <p className="notice" role="status">
          {done.queued} photo{done.queued === 1 ? '' : 's'} queued for analysis with the current method
          {done.skipped > 0 && `; ${done.skipped} skipped (no AI-analysis consent in force now)`}. Their
          grades count again once the analyses are done.
        </p>
      )}
      <ProblemMessage error={submission.error} />
    </div>
  );
}

const formatKappa = (kappa: number | null): string => (kappa === null ? 'not enough grades' : kappa.toFixed(2).replace('-', '−'));

/** How closely the AI estimates agree with the clinicians' grades; aggregates only. */
function AgreementTable() {
  const agreement = useResource<GradingAgreement>('/api/stats/grading-agreement');
  const data = agreement.data;
  return (
    <section className="card agreement" aria-labelledby="agreement-heading" data-testid="grading-agreement">
      <h2 id="agreement-heading">Grading agreement</h2>
      <p className="hint">
        Weighted kappa compares the AI estimates with the clinicians' 0–4 grades: 1 is perfect agreement, 0 no better
        than chance, and near misses count less than large disagreements.
      </p>
      <ProblemMessage error={agreement.error} />
      {!data && !agreement.error && <p className="muted">Loading…</p>}
      {data && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Zone</th>
                <th scope="col" className="num">
                  Kappa
                </th>
                <th scope="col" className="num">
                  Grades
                </th>
              </tr>
            </thead>
            <tbody>
              {data.zones.map((zone) => (
                <tr key={zone.zoneId} data-zone={zone.zoneId}>
                  <th scope="row">{ZONE_LABELS[zone.zoneId] ?? zone.zoneId}</th>
                  <td className="num">{formatKappa(zone.kappa)}</td>
                  <td className="num">{zone.n}</td>
                </tr>
              ))}
              <tr className="total" data-zone="overall">
                <th scope="row">All zones</th>
                <td className="num">{formatKappa(data.overall.kappa)}</td>
                <td className="num">{data.overall.n}</td>
              </tr>
            </tbody>
          </table>
        </div>
      )}
      {data && data.earlierMethod > 0 && (
        <div data-testid="earlier-method-grades">
          <p className="hint">
            {data.earlierMethod} grade{data.earlierMethod === 1 ? ' is' : 's are'} left out: {data.earlierMethod === 1 ? 'its photo was' : 'their photos were'} analysed
            with an earlier method than {data.method}.
          </p>
          <AnalyseEarlierMethod />
        </div>
      )}
    </section>
  );
}

function Stat({ label, value }: { label: string; value: number }) {
  return (
    <div className="stat card">
      <span className="stat-value">{value}</span>
      <span className="stat-label">{label}</span>
    </div>
  );
}

interface BarRow {
  key: string;
  label: string;
  count: number;
}

function BarTable({ title, rows }: { title: string; rows: BarRow[] }) {
  const max = Math.max(1, ...rows.map((row) => row.count));
  const id = `bars-${title.replace(/\W+/g, '-').toLowerCase()}`;
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">Nothing yet.</p>
      ) : (
        <table className="table bars">
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Group</span>
              </th>
              <th scope="col" className="num">
                Count
              </th>
              <th scope="col" className="bar-cell">
                <span className="visually-hidden">Share</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <th scope="row">{row.label}</th>
                <td className="num">{row.count}</td>
                <td className="bar-cell" aria-hidden="true">
                  <span className="bar" style={{ width: `${(row.count / max) * 100}%` }} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
