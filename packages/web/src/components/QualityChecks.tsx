import { describeCheck } from '../format';
import { CHECK_LABELS, CONSISTENCY_LABELS } from '../labels';
import type { ConsistencyCheck, ConsistencyReport, QualityCheck, QualityResult, ViewSpec } from '../types';

/** A tick or a cross that reads the same to a screen reader as it looks. */
export function CheckMark({ passed }: { passed: boolean }) {
  return (
    <span className={`check-mark ${passed ? 'pass' : 'fail'}`} aria-label={passed ? 'Passed' : 'Failed'} role="img">
      {passed ? '✓' : '✗'}
    </span>
  );
}

function CheckItem({ check, view, showMessage }: { check: QualityCheck; view: ViewSpec; showMessage: boolean }) {
  const { value, limit } = describeCheck(check, view);
  return (
    <li className={`check ${check.passed ? 'pass' : 'fail'}`} data-testid="quality-check" data-check={check.id}
      data-passed={check.passed}>
      <CheckMark passed={check.passed} />
      <span className="check-body">
        <span className="check-name">{CHECK_LABELS[check.id]}</span>{' '}
        <span className="check-value">
          {value} <span className="muted">({limit})</span>
        </span>
        {showMessage && <span className="check-message">{check.message}</span>}
      </span>
    </li>
  );
}

/**
 * The protocol's verdict on one photo: what failed, each with the photographer's instruction, always in
 * view; the checks that passed one tap away, so a cell stays short on a tablet.
 */
export function QualityChecks({ quality, view }: { quality: QualityResult; view: ViewSpec }) {
  const failed = quality.checks.filter((check) => !check.passed);
  const passed = quality.checks.filter((check) => check.passed);
  return (
    <div className="quality" data-testid="quality">
      <p className={`quality-summary ${quality.passed ? 'pass' : 'fail'}`} data-testid="quality-summary">
        {quality.passed
          ? `All ${quality.checks.length} checks passed`
          : `${failed.length} of ${quality.checks.length} ${quality.checks.length === 1 ? 'check' : 'checks'} failed`}
      </p>
      {failed.length > 0 && (
        <ul className="check-list">
          {failed.map((check) => (
            <CheckItem key={check.id} check={check} view={view} showMessage />
          ))}
        </ul>
      )}
      {passed.length > 0 && (
        <details className="check-details">
          <summary>
            {failed.length === 0 ? 'Show the checks' : `Show the ${passed.length} passed ${passed.length === 1 ? 'check' : 'checks'}`}
          </summary>
          <ul className="check-list">
            {passed.map((check) => (
              <CheckItem key={check.id} check={check} view={view} showMessage={false} />
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/** Consistency values are distances from the baseline: a share of size, position or brightness, or degrees. */
function formatDifference(id: ConsistencyCheck['id'], value: number): string {
  return id === 'pose' ? `${Number(value.toFixed(1))}°` : `${Math.round(value * 100)}%`;
}

/** How this photo compares with the patient's first compliant frontal photo, so before/after line up. */
export function ConsistencyChecks({ report, title }: { report: ConsistencyReport; title: string }) {
  const passed = report.checks.every((check) => check.passed);
  return (
    <div className="consistency" data-testid="consistency">
      <p className="consistency-title">
        {title}{' '}
        <span className={`badge ${passed ? 'ok' : 'warn'}`}>{passed ? 'Consistent' : 'Differs from baseline'}</span>
      </p>
      <ul className="check-list">
        {report.checks.map((check) => (
          <li key={check.id} className={`check ${check.passed ? 'pass' : 'fail'}`} data-testid="consistency-check"
            data-check={check.id} data-passed={check.passed}>
            <CheckMark passed={check.passed} />
            <span className="check-body">
              <span className="check-name">{CONSISTENCY_LABELS[check.id]}</span>{' '}
              <span className="check-value">
                {check.value === null ? 'not measured' : `${formatDifference(check.id, check.value)} off`}{' '}
                <span className="muted">(at most {formatDifference(check.id, check.threshold)})</span>
              </span>
              {!check.passed && <span className="check-message">{check.message}</span>}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
