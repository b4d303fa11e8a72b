import { useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { api, isAbort, withQuery } from '../api';
import { ProblemMessage } from '../components/Problem';
import { useDebounced } from '../hooks';
import { formatDate, fullName } from '../format';
import { useSession } from '../session';
import type { PatientSummary } from '../types';

const PAGE_SIZE = 50;

interface Results {
  items: PatientSummary[];
  total: number;
}

/**
 * Finding a patient. The search text stays in this page's memory: it is patient data, so it is never
 * put in the address bar or browser storage.
 */
export function PatientsPage() {
  const session = useSession();
  const [query, setQuery] = useState('');
  const [includeArchived, setIncludeArchived] = useState(false);
  const [results, setResults] = useState<Results | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const q = useDebounced(query.trim(), 300);

  useEffect(() => {
    const controller = new AbortController();
    api
      .get<Results>(withQuery('/api/patients', { q, includeArchived, limit: PAGE_SIZE, offset: 0 }), controller.signal)
      .then((answer) => {
        setResults(answer);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (!isAbort(caught)) setError(caught);
      });
    return () => controller.abort();
  }, [q, includeArchived]);

  const loadMore = async () => {
    if (!results) return;
    setLoadingMore(true);
    try {
      const next = await api.get<Results>(
        withQuery('/api/patients', { q, includeArchived, limit: PAGE_SIZE, offset: results.items.length }),
      );
      setResults({ items: [...results.items, ...next.items], total: next.total });
    } catch (caught) {
      setError(caught);
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <section className="page">
      <div className="page-header">
        <h1>Patients</h1>
        {session.can('patient.create') && (
          <Link className="button primary" to="/patients/new">
            New patient
          </Link>
        )}
      </div>
      <div className="toolbar" role="search">
        <div className="field grow">
          <label htmlFor="patient-search">Find a patient</label>
          <input id="patient-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)}
            placeholder="Name, date of birth, phone or email" autoComplete="off" spellCheck={false} />
        </div>
        <label className="checkbox">
          <input type="checkbox" checked={includeArchived} onChange={(e) => setIncludeArchived(e.target.checked)} />
          <span>Include archived</span>
        </label>
      </div>
      <ProblemMessage error={error} />
      {results && (
        <>
          <p className="muted" aria-live="polite" data-testid="patient-count">
            {results.total === 0
              ? q ? 'No patients match.' : 'No patients yet.'
              : `${results.total} ${results.total === 1 ? 'patient' : 'patients'}`}
          </p>
          {results.items.length > 0 && (
            <div className="table-wrap">
              <table className="table patients-table">
                <thead>
                  <tr>
                    <th scope="col">Name</th>
                    <th scope="col">Date of birth</th>
                    <th scope="col" className="hide-narrow">Phone</th>
                    <th scope="col" className="hide-narrow">Email</th>
                  </tr>
                </thead>
                <tbody>
                  {results.items.map((patient) => (
                    <tr key={patient.id}>
                      <td>
                        <Link to={`/patients/${patient.id}`} className="row-link">
                          {fullName(patient)}
                        </Link>
                        {patient.erased && <span className="badge danger">Erased</span>}
                        {patient.archived && !patient.erased && <span className="badge">Archived</span>}
                      </td>
                      <td>{formatDate(patient.dateOfBirth)}</td>
                      <td className="hide-narrow">{patient.phone ?? '—'}</td>
                      <td className="hide-narrow">{patient.email ?? '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {results.items.length < results.total && (
            <div className="actions">
              <button type="button" className="button secondary" onClick={() => void loadMore()} disabled={loadingMore}>
                {loadingMore ? 'Loading…' : 'Show more patients'}
              </button>
            </div>
          )}
        </>
      )}
    </section>
  );
}
