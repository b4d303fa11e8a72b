import { formatDate, formatDose, formatMoney } from '../../format';
import { DOWNTIME_LABELS, GOAL_LABELS, SUBTLETY_LABELS, ZONE_LABELS } from '../../labels';
import type { PlanView, TreatmentCatalogue } from '../../types';
import { productIn, whereText } from './plan-helpers';

/** What the patient said at the consultation. */
export function IntakeSummary({ plan }: { plan: PlanView }) {
  const { intake, infectedZones, createdAt } = plan.consultation;
  const currency = plan.current.suggested.currency;
  return (
    <section className="card" aria-labelledby="intake-heading" data-testid="intake-summary">
      <h2 id="intake-heading">Consultation</h2>
      <dl className="facts">
        <div>
          <dt>Date</dt>
          <dd>{formatDate(createdAt)}</dd>
        </div>
        <div className="span-all">
          <dt>Concerns</dt>
          <dd className="pre">{intake.concerns || '—'}</dd>
        </div>
        <div>
          <dt>Goals</dt>
          <dd>{intake.goals.length > 0 ? intake.goals.map((goal) => GOAL_LABELS[goal]).join(', ') : '—'}</dd>
        </div>
        <div>
          <dt>Result</dt>
          <dd>{SUBTLETY_LABELS[intake.subtlety]}</dd>
        </div>
        <div>
          <dt>Downtime</dt>
          <dd>{DOWNTIME_LABELS[intake.downtime]}</dd>
        </div>
        <div>
          <dt>Budget</dt>
          <dd>{intake.budget === null ? 'None given' : formatMoney(intake.budget, currency)}</dd>
        </div>
        {intake.upcomingEvent && (
          <div>
            <dt>Upcoming event</dt>
            <dd>
              {intake.upcomingEvent.description || 'Event'} on {formatDate(intake.upcomingEvent.date)}
            </dd>
          </div>
        )}
        <div>
          <dt>Planned from</dt>
          <dd>{plan.consultation.photoId ? 'The facial analysis of a frontal photo' : 'The intake only (no photo)'}</dd>
        </div>
        {infectedZones.length > 0 && (
          <div>
            <dt>Active infection today</dt>
            <dd>{infectedZones.map((zone) => ZONE_LABELS[zone]).join(', ')}</dd>
          </div>
        )}
      </dl>
    </section>
  );
}

/** What screening blocked, the cautions, and what the planner left out (downtime, ceilings, budget). */
export function ScreeningFacts({ plan, catalogue }: { plan: PlanView; catalogue: TreatmentCatalogue | null }) {
  const { blocked, cautions, leftOut = [], deferredForBudget, currency } = plan.current.suggested;
  return (
    <section className="card" aria-labelledby="screening-heading" data-testid="screening">
      <h2 id="screening-heading">Screening</h2>
      <h3>Blocked by screening</h3>
      {blocked.length === 0 ? (
        <p className="muted">Nothing was blocked.</p>
      ) : (
        <ul className="reason-list" data-testid="blocked">
          {blocked.map((item) => (
            <li key={`${item.zoneId}:${item.side}:${item.productId}:${item.rule}`}>
              <strong>{whereText(item.zoneId, item.side)}</strong>, {productIn(catalogue, item.productId)?.brand ?? item.productId}:{' '}
              {item.reason}
            </li>
          ))}
        </ul>
      )}
      <h3>Cautions</h3>
      {cautions.length === 0 ? (
        <p className="muted">No cautions.</p>
      ) : (
        <ul className="reason-list" data-testid="cautions">
          {cautions.map((caution) => (
            <li key={caution.rule}>{caution.text}</li>
          ))}
        </ul>
      )}
      {(leftOut.length > 0 || deferredForBudget.length > 0) && (
        <>
          <h3>Left out</h3>
          <ul className="reason-list" data-testid="left-out">
            {leftOut.map((item) => (
              <li key={item.key}>
                <strong>{whereText(item.zoneId, item.side)}</strong>: {item.reason}
              </li>
            ))}
            {deferredForBudget.map((item) => (
              <li key={item.key}>
                <strong>{whereText(item.zoneId, item.side)}</strong>: deferred for the budget ({formatMoney(item.cost, currency)})
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** The visits with their earliest dates and costs, the totals, and the maintenance schedule. */
export function VisitsAndCosts({ plan }: { plan: PlanView }) {
  const { suggested, final, totalCost, status } = plan.current;
  const { currency } = suggested;
  const visits = [...new Set([...suggested.stages.map((stage) => stage.stage), ...final.map((item) => item.stage)])].sort((a, b) => a - b);
  const finalProducts = new Set(final.map((item) => item.productId));
  const signed = status === 'signed';
  return (
    <section className="card" aria-labelledby="visits-heading" data-testid="visits">
      <h2 id="visits-heading">Visits and costs</h2>
      <div className="table-wrap">
        <table className="table visits-table">
          <thead>
            <tr>
              <th scope="col">Visit</th>
              <th scope="col">Earliest</th>
              <th scope="col" className="num">Suggested</th>
              <th scope="col">{signed ? 'As signed' : 'After the decisions so far'}</th>
              <th scope="col" className="num">Cost</th>
            </tr>
          </thead>
          <tbody>
            {visits.map((visit) => {
              const planned = suggested.stages.find((stage) => stage.stage === visit);
              const items = final.filter((item) => item.stage === visit);
              return (
                <tr key={visit}>
                  <th scope="row">{planned?.label ?? `Visit ${visit}`}</th>
                  <td className="nowrap">{planned ? formatDate(planned.earliestDate) : '—'}</td>
                  <td className="num nowrap">{planned ? formatMoney(planned.cost, currency) : '—'}</td>
                  <td>
                    {items.length === 0 ? (
                      '—'
                    ) : (
                      <ul className="dose-list">
                        {items.map((item) => (
                          <li key={item.key}>
                            {whereText(item.zoneId, item.side)}: {item.productLabel} {formatDose(item.amount, item.unit)}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td className="num nowrap">{formatMoney(items.reduce((sum, item) => sum + item.cost, 0), currency)}</td>
                </tr>
              );
            })}
            <tr className="total">
              <th scope="row" colSpan={2}>
                Total
              </th>
              <td className="num nowrap">
                {formatMoney(suggested.totalCost.planned, currency)}
                <span className="muted small block">
                  {formatMoney(suggested.totalCost.min, currency)}–{formatMoney(suggested.totalCost.max, currency)}
                </span>
              </td>
              <td />
              <td className="num nowrap" data-testid="total-cost">
                {formatMoney(totalCost, currency)}
              </td>
            </tr>
          </tbody>
        </table>
      </div>
      <h3>Maintenance</h3>
      {suggested.maintenance.length === 0 ? (
        <p className="muted">No maintenance planned.</p>
      ) : (
        <ul className="reason-list" data-testid="maintenance">
          {suggested.maintenance.map((entry) => (
            <li key={entry.productId} className={!signed || finalProducts.has(entry.productId) ? undefined : 'muted'}>
              <strong>{entry.productLabel}</strong> (
              {entry.zoneIds.map((zone) => ZONE_LABELS[zone]).join(', ')}): every {entry.everyMonths} month
              {entry.everyMonths === 1 ? '' : 's'}, first reminder {formatDate(entry.firstReminder)}
              {signed && !finalProducts.has(entry.productId) && ' (not in the signed plan)'}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Why the plan looks the way it does, step by step, as the planner explains it. */
export function Explanation({ plan }: { plan: PlanView }) {
  const lines = plan.current.suggested.explanation;
  if (lines.length === 0) return null;
  return (
    <section className="card" aria-labelledby="explanation-heading">
      <h2 id="explanation-heading">How the plan was made</h2>
      <details className="explanation-details">
        <summary>Show the planner's {lines.length} steps</summary>
        <ol className="explanation">
          {lines.map((line, index) => (
            <li key={index}>{line}</li>
          ))}
        </ol>
      </details>
    </section>
  );
}
