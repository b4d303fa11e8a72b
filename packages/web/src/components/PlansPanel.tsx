import { Link } from 'react-router-dom';
import { formatDate, formatMoney } from '../format';
import { useResource } from '../hooks';
import { PLAN_STATUS_LABELS } from '../labels';
import { useSession } from '../session';
import type { Patient, PlanSummary } from '../types';
import { ProblemMessage } from './Problem';

/** The patient's treatment plans, newest first, and the way to start a consultation. */
export function PlansPanel({ patient }: { patient: Patient }) {
  const session = useSession();
  const plans = useResource<{ items: PlanSummary[] }>(`/api/patients/${patient.id}/plans`);
  const mayCreate = session.can('plan.create') && !patient.archived && !patient.erased;
  const items = plans.data?.items ?? [];

  return (
    <section className="card" aria-labelledby="plans-heading" data-testid="plans-panel">
      <div className="section-header">
        <h2 id="plans-heading">Treatment plans</h2>
        {mayCreate && (
          <Link className="button primary" to={`/patients/${patient.id}/plans/new`}>
            New consultation
          </Link>
        )}
      </div>
      <ProblemMessage error={plans.error} />
      {plans.data &&
        (items.length === 0 ? (
          <p className="muted">No treatment plans yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Consultation</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">Items</th>
                  <th scope="col" className="num">Total</th>
                  <th scope="col">
                    <span className="visually-hidden">Open</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((plan) => (
                  <tr key={plan.id} data-testid="plan-row">
                    <td>{formatDate(plan.createdAt)}</td>
                    <td>
                      <span className={`badge${plan.status === 'signed' ? ' ok' : ' warn'}`}>{PLAN_STATUS_LABELS[plan.status]}</span>
                      <span className="muted block">
                        Version {plan.latestVersion}
                        {plan.signedAt && `, signed ${formatDate(plan.signedAt)}`}
                      </span>
                    </td>
                    <td className="num">{plan.items}</td>
                    <td className="num nowrap">{formatMoney(plan.totalCost, plan.currency)}</td>
                    <td className="cell-action">
                      <Link className="button secondary small" to={`/patients/${patient.id}/plans/${plan.id}`}
                        aria-label={`Open the plan of ${formatDate(plan.createdAt)}`}>
                        Open
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}
