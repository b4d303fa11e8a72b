import { Link, useNavigate } from 'react-router-dom';
import { api } from '../api';
import { formatDate } from '../format';
import { useResource, useSubmission } from '../hooks';
import { useSession } from '../session';
import type { Patient, PhotoSession } from '../types';
import { PhotoProblem } from './ConsentProblem';

/** Required views with a passing photo, out of all required views. */
export function requiredProgress(session: PhotoSession): { passed: number; required: number } {
  const required = session.views.filter((entry) => entry.view.required);
  const passed = required.filter((entry) => entry.photo?.quality?.passed === true).length;
  return { passed, required: required.length };
}

/** The patient's photo sessions, newest first, and the way to start today's. */
export function PhotosPanel({ patient }: { patient: Patient }) {
  const session = useSession();
  const navigate = useNavigate();
  const sessions = useResource<{ items: PhotoSession[] }>(`/api/patients/${patient.id}/photo-sessions`);
  const creating = useSubmission();
  const mayCapture = session.can('photo.capture') && !patient.archived && !patient.erased;

  const start = () =>
    creating.run(async () => {
      const created = await api.post<PhotoSession>(`/api/patients/${patient.id}/photo-sessions`, {});
      navigate(`/patients/${patient.id}/photos/${created.id}`);
    });

  const items = sessions.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="photos-heading" data-testid="photos-panel">
      <div className="section-header">
        <h2 id="photos-heading">Photos</h2>
        {mayCapture && (
          <button type="button" className="button primary" disabled={creating.busy} onClick={() => void start()}>
            {creating.busy ? 'Starting…' : 'New photo session'}
          </button>
        )}
      </div>
      <PhotoProblem error={creating.error} patientId={patient.id} />
      <PhotoProblem error={sessions.error} patientId={patient.id} />
      {sessions.data &&
        (items.length === 0 ? (
          <p className="muted">No photo sessions yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Visit</th>
                  <th scope="col">Required views</th>
                  <th scope="col">
                    <span className="visually-hidden">Open</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => {
                  const { passed, required } = requiredProgress(item);
                  return (
                    <tr key={item.id} data-testid="photo-session-row">
                      <td>
                        {formatDate(item.visitDate)}
                        {item.notes && <span className="muted block">{item.notes}</span>}
                      </td>
                      <td>
                        {passed} of {required} passed
                        {item.complete && <span className="badge ok">Complete</span>}
                      </td>
                      <td className="cell-action">
                        <Link className="button secondary small" to={`/patients/${patient.id}/photos/${item.id}`}
                          aria-label={`Open the photo session of ${formatDate(item.visitDate)}`}>
                          Open
                        </Link>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ))}
    </section>
  );
}

