import { Link } from 'react-router-dom';
import { isConsentRequired } from '../api';
import { ProblemMessage } from './Problem';

/**
 * The server's refusal shown beside what caused it. A missing consent gets its own words and a way to
 * the patient's consents, since that is the one thing the clinic can do about it.
 */
export function PhotoProblem({ error, patientId }: { error: unknown; patientId: string }) {
  if (!isConsentRequired(error)) return <ProblemMessage error={error} />;
  return (
    <div className="problem" role="alert" data-testid="consent-problem">
      <p className="problem-title">{error.title}</p>
      {error.detail && <p>{error.detail}</p>}
      <p>
        <Link to={`/patients/${patientId}#consents`}>Open the patient's consents</Link> to record it.
      </p>
    </div>
  );
}
