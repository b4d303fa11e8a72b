import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { Link, useLocation, useParams } from 'react-router-dom';
import { api, withQuery } from '../api';
import { PhotoProblem } from '../components/ConsentProblem';
import { PhotoThumbnail } from '../components/PhotoThumbnail';
import { requiredProgress } from '../components/PhotosPanel';
import { ConsistencyChecks, QualityChecks } from '../components/QualityChecks';
import { formatBytes, formatDate, formatDateTime, formatDegrees, fullName } from '../format';
import { useResource, useSubmission } from '../hooks';
import { PHOTO_STATUS_LABELS } from '../labels';
import { useSession } from '../session';
import type { ConsentStatus, Patient, Photo, PhotoSession, PhotoSessionView, PhotoStatus } from '../types';

/** The file types the server takes for a photo; HEIC is what iPads and iPhones save by default. */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/heic'];
const MAX_PHOTO_BYTES = 40 * 1024 * 1024;
/** Statuses that change on their own, so the page asks again until they settle. */
const PENDING: PhotoStatus[] = ['stored', 'queued', 'analysing'];
const POLL_MS = 2000;

export function PhotoSessionPage() {
  const { patientId = '', sessionId = '' } = useParams();
  return <PhotoSessionRecord key={sessionId} patientId={patientId} sessionId={sessionId} />;
}

interface CapturedState {
  captured?: string;
}

function PhotoSessionRecord({ patientId, sessionId }: { patientId: string; sessionId: string }) {
  const session = useSession();
  const location = useLocation();
  const patient = useResource<Patient>(`/api/patients/${patientId}`);
  const photoSession = useResource<PhotoSession>(`/api/photo-sessions/${sessionId}`);
  const consents = useResource<{ status: ConsentStatus[] }>(
    session.can('consent.read') ? `/api/patients/${patientId}/consents` : null,
  );
  const data = photoSession.data;
  const { reload } = photoSession;

  // Analysis runs on the server after the upload answers; poll until every photo has settled.
  const pending = data?.views.some((entry) => entry.photo !== null && PENDING.includes(entry.photo.status)) ?? false;
  useEffect(() => {
    if (!pending) return;
    const timer = window.setTimeout(reload, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [pending, data, reload]);

  if (photoSession.error && !data) {
    return (
      <section className="page">
        <h1>Photo session</h1>
        <PhotoProblem error={photoSession.error} patientId={patientId} />
        <p>
          <Link to={`/patients/${patientId}`}>Back to the patient</Link>
        </p>
      </section>
    );
  }
  if (!data) return <p className="page muted">Loading photo session…</p>;

  const record = patient.data;
  const mayCapture = session.can('photo.capture') && !record?.archived && !record?.erased;
  const captureConsent = consents.data?.status.find((status) => status.purpose === 'capture_photos');
  const analyseConsent = consents.data?.status.find((status) => status.purpose === 'analyse_photos');
  const { passed, required } = requiredProgress(data);
  // Required views first, each group in the protocol's order.
  const views = [...data.views].sort((a, b) => Number(b.view.required) - Number(a.view.required));
  const captured = (location.state as CapturedState | null)?.captured;
  const capturedLabel = data.views.find((entry) => entry.view.id === captured)?.view.label;

  return (
    <div className="page photo-session-page">
      <p className="breadcrumb">
        <Link to={`/patients/${patientId}`}>{record ? fullName(record) : 'Patient'}</Link>
      </p>
      <header className="page-header">
        <div>
          <h1>Photo session</h1>
          <p className="muted session-meta">
            Visit {formatDate(data.visitDate)} · started {formatDateTime(data.createdAt)}
          </p>
        </div>
        <p className="session-progress" data-testid="session-progress">
          {passed} of {required} required views passed
          {data.complete ? <span className="badge ok">Complete</span> : <span className="badge warn">Incomplete</span>}
        </p>
      </header>
      {data.notes && <p className="pre">{data.notes}</p>}

      {capturedLabel && (
        <p className="notice" role="status">
          {capturedLabel} captured. It is checked against the protocol now.
        </p>
      )}
      {captureConsent && !captureConsent.allowed && (
        <div className="problem" role="alert" data-testid="capture-consent-missing">
          <p className="problem-title">Photos cannot be taken yet</p>
          {captureConsent.reason && <p>{captureConsent.reason}.</p>}
          <p>
            <Link to={`/patients/${patientId}#consents`}>Open the patient's consents</Link> to record the clinical
            photography consent.
          </p>
        </div>
      )}
      {captureConsent?.allowed && analyseConsent && !analyseConsent.allowed && (
        <p className="notice warn" role="status" data-testid="analysis-consent-missing">
          Photos will be stored but not checked: {analyseConsent.reason ?? 'AI analysis is not consented to'}.{' '}
          <Link to={`/patients/${patientId}#consents`}>Record the AI-analysis consent</Link> to have them checked.
        </p>
      )}

      {data.consistency && (
        <section className="card" aria-label="Consistency with the baseline">
          <ConsistencyChecks report={data.consistency} title="Frontal photo compared with the first compliant one" />
        </section>
      )}

      <ul className="view-grid" aria-label="Views">
        {views.map((entry) => (
          <ViewCell
            key={entry.view.id}
            entry={entry}
            patientId={patientId}
            sessionId={sessionId}
            mayCapture={mayCapture}
            showConsistency={data.consistency === null}
            onChanged={reload}
          />
        ))}
      </ul>
    </div>
  );
}

interface ViewCellProps {
  entry: PhotoSessionView;
  patientId: string;
  sessionId: string;
  mayCapture: boolean;
  /** The session-level report already shows the frontal comparison; the cell shows it otherwise. */
  showConsistency: boolean;
  onChanged(): void;
}

type CellState = 'missing' | 'pending' | 'passed' | 'failed' | 'unchecked';

function cellState(photo: Photo | null): CellState {
  if (!photo) return 'missing';
  if (PENDING.includes(photo.status)) return 'pending';
  if (photo.status === 'analysed' && photo.quality) return photo.quality.passed ? 'passed' : 'failed';
  return 'unchecked';
}

function ViewCell({ entry, patientId, sessionId, mayCapture, showConsistency, onChanged }: ViewCellProps) {
  const { view, photo, attempts } = entry;
  const upload = useSubmission();
  const reanalyse = useSubmission();
  const input = useRef<HTMLInputElement>(null);
  const [localProblem, setLocalProblem] = useState<string | null>(null);
  const state = cellState(photo);
  const mayAnalyse = useSession().can('analysis.read');

  const choose = async (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0];
    if (input.current) input.current.value = '';
    if (!chosen) return;
    upload.clear();
    // Some browsers give HEIC files no type; the server still needs to be told what they are.
    const file = chosen.type === '' && /\.hei[cf]$/i.test(chosen.name) ? new File([chosen], chosen.name, { type: 'image/heic' }) : chosen;
    if (!PHOTO_TYPES.includes(file.type)) return setLocalProblem('Choose a JPEG, PNG or HEIC photo.');
    if (file.size > MAX_PHOTO_BYTES) return setLocalProblem('Photos can be at most 40 MB.');
    setLocalProblem(null);
    const done = await upload.run(async () => {
      await api.upload<Photo>(withQuery(`/api/photo-sessions/${sessionId}/photos`, { view: view.id }), file);
    });
    if (done) onChanged();
  };

  const analyseAgain = async (photoId: string) => {
    const done = await reanalyse.run(async () => {
      await api.post<Photo>(`/api/photos/${photoId}/analyse`);
    });
    if (done) onChanged();
  };

  const headingId = `view-${view.id}-heading`;
  return (
    <li className={`view-cell ${state}`} data-testid="view-cell" data-view={view.id} data-state={state}
      aria-labelledby={headingId}>
      <div className="view-heading">
        <h2 id={headingId}>{view.label}</h2>
        <span className={`badge ${view.required ? '' : 'subtle'}`}>{view.required ? 'Required' : 'Optional'}</span>
      </div>

      {photo ? (
        <PhotoThumbnail key={photo.id} photoId={photo.id} alt={`${view.label} photo`} />
      ) : (
        <div className="photo-frame missing" data-testid="not-taken">
          <span>Not taken</span>
        </div>
      )}

      {photo && <PhotoStatusLine photo={photo} attempts={attempts} />}
      {photo?.status === 'analysed' && photo.quality && <QualityChecks quality={photo.quality} view={view} />}
      {photo?.status === 'analysed' && photo.pose && (
        <p className="hint">
          Head: turn {formatDegrees(photo.pose.yaw)}, chin {formatDegrees(photo.pose.pitch)}, tilt{' '}
          {formatDegrees(photo.pose.roll)} · {photo.width}×{photo.height} px · {formatBytes(photo.byteSize)}
        </p>
      )}
      {showConsistency && photo?.consistency && (
        <ConsistencyChecks report={photo.consistency} title="Compared with the first compliant frontal photo" />
      )}

      {localProblem && (
        <p className="field-error" role="alert">
          {localProblem}
        </p>
      )}
      <PhotoProblem error={upload.error} patientId={patientId} />
      <PhotoProblem error={reanalyse.error} patientId={patientId} />

      {mayAnalyse && view.id === 'frontal' && photo?.status === 'analysed' && (
        <p>
          <Link className="button secondary small" to={`/patients/${patientId}/photos/${sessionId}/analysis/${photo.id}`}
            data-testid="analysis-link">
            Analysis
          </Link>
        </p>
      )}

      {mayCapture && (
        <div className="view-actions">
          <Link className="button primary" to={`/patients/${patientId}/photos/${sessionId}/capture/${view.id}`}>
            Guided capture
          </Link>
          <label className={`button secondary file-button${upload.busy ? ' busy' : ''}`}>
            <input ref={input} type="file" className="visually-hidden" accept={PHOTO_TYPES.join(',')}
              capture="environment" disabled={upload.busy} aria-label={`${photo ? 'Retake' : 'Upload'} ${view.label}`}
              onChange={(event) => void choose(event)} />
            {upload.busy ? 'Uploading…' : photo ? 'Retake' : 'Upload'}
          </label>
          {photo && (photo.status === 'failed' || photo.status === 'not_analysed') && (
            <button type="button" className="button secondary" disabled={reanalyse.busy}
              onClick={() => void analyseAgain(photo.id)}>
              Analyse again
            </button>
          )}
        </div>
      )}
    </li>
  );
}

function PhotoStatusLine({ photo, attempts }: { photo: Photo; attempts: number }) {
  const attempt = attempts > 1 ? ` · attempt ${attempts}` : '';
  if (PENDING.includes(photo.status)) {
    return (
      <p className="photo-status" data-testid="photo-status" data-status={photo.status} role="status">
        <span className="spinner" aria-hidden="true" />
        {photo.status === 'analysing' ? 'Analysing…' : 'Waiting for analysis…'}
        <span className="muted">{attempt}</span>
      </p>
    );
  }
  const tone = photo.status === 'failed' ? 'danger' : photo.status === 'analysed' ? 'ok' : 'warn';
  return (
    <div className="photo-status" data-testid="photo-status" data-status={photo.status}>
      <p>
        <span className={`badge ${tone}`}>{PHOTO_STATUS_LABELS[photo.status]}</span>
        <span className="muted">
          {' '}
          {formatDateTime(photo.createdAt)}
          {attempt}
        </span>
      </p>
      {photo.statusReason && photo.status !== 'analysed' && <p className="status-reason">{photo.statusReason}</p>}
    </div>
  );
}
