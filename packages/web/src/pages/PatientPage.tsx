import { useEffect, useState } from 'react';
import { Link, useLocation, useParams } from 'react-router-dom';
import { ageOn, type MedicalHistory } from '@contour/domain/patient';
import { api } from '../api';
import { ConsentsPanel } from '../components/ConsentsPanel';
import { EraseSection } from '../components/EraseSection';
import { FilesPanel } from '../components/FilesPanel';
import { PatientForm } from '../components/PatientForm';
import { PhotosPanel } from '../components/PhotosPanel';
import { PlansPanel } from '../components/PlansPanel';
import { ProblemMessage } from '../components/Problem';
import { formatDate, formatDateTime, fullName } from '../format';
import { useResource, useSubmission } from '../hooks';
import { ALLERGY_LABELS, CHANNEL_LABELS, HISTORY_TEXT_LABELS, SCREENING_LABELS, SEX_LABELS, keysOf } from '../labels';
import { useSession } from '../session';
import type { Location, Patient } from '../types';

export function PatientPage() {
  const { patientId = '' } = useParams();
  // A fresh page per patient, so no edit form or notice carries over when following a link to another.
  return <PatientRecord key={patientId} patientId={patientId} />;
}

function PatientRecord({ patientId }: { patientId: string }) {
  const session = useSession();
  const patient = useResource<Patient>(`/api/patients/${encodeURIComponent(patientId)}`);
  const locations = useResource<{ items: Location[] }>(session.can('location.read') ? '/api/locations' : null);
  const [editing, setEditing] = useState(false);
  const archive = useSubmission();
  const [erasedFiles, setErasedFiles] = useState<number | null>(null);
  const { hash } = useLocation();
  const loaded = patient.data !== null;

  // Links such as "open the patient's consents" point at a panel; scroll to it once the record is shown.
  useEffect(() => {
    if (!loaded || !hash) return;
    const frame = window.requestAnimationFrame(() => document.getElementById(hash.slice(1))?.scrollIntoView());
    return () => window.cancelAnimationFrame(frame);
  }, [loaded, hash]);

  if (patient.error && !patient.data) {
    return (
      <section className="page">
        <h1>Patient</h1>
        <ProblemMessage error={patient.error} />
        <p>
          <Link to="/patients">Back to patients</Link>
        </p>
      </section>
    );
  }
  const record = patient.data;
  if (!record) return <p className="page muted">Loading patient…</p>;

  const setArchived = (archived: boolean) =>
    archive.run(async () => {
      patient.setData(await api.post<Patient>(`/api/patients/${record.id}/${archived ? 'archive' : 'restore'}`));
    });
  const locationName = locations.data?.items.find((location) => location.id === record.locationId)?.name;

  return (
    <div className="page patient-page">
      <p className="breadcrumb">
        <Link to="/patients">Patients</Link>
      </p>
      <header className="patient-header">
        <div>
          <h1 data-testid="patient-name">{fullName(record)}</h1>
          <p className="muted">
            {record.dateOfBirth
              ? `Born ${formatDate(record.dateOfBirth)} (${ageOn(record.dateOfBirth, new Date())} years)`
              : 'Date of birth not recorded'}
            {' · '}
            {SEX_LABELS[record.sex]}
          </p>
        </div>
        <div className="patient-badges">
          {record.erased && (
            <span className="badge danger" data-testid="erased-badge">
              Erased {formatDateTime(record.erasedAt)}
            </span>
          )}
          {record.archived && !record.erased && (
            <span className="badge" data-testid="archived-badge">
              Archived
            </span>
          )}
        </div>
      </header>

      {erasedFiles !== null && (
        <p className="notice" role="status">
          The patient has been erased. {erasedFiles} {erasedFiles === 1 ? 'file was' : 'files were'} destroyed.
        </p>
      )}

      <section className="card" aria-labelledby="details-heading">
        <div className="section-header">
          <h2 id="details-heading">Details</h2>
          {!editing && !record.erased && (
            <div className="button-row">
              {session.can('patient.update') && (
                <button type="button" className="button secondary" onClick={() => setEditing(true)}>
                  Edit details
                </button>
              )}
              {session.can('patient.archive') && (
                <button type="button" className="button secondary" disabled={archive.busy}
                  onClick={() => void setArchived(!record.archived)}>
                  {record.archived ? 'Restore patient' : 'Archive patient'}
                </button>
              )}
            </div>
          )}
        </div>
        <ProblemMessage error={archive.error} />
        {editing && !record.erased ? (
          <PatientForm
            patient={record}
            onSaved={(saved) => {
              patient.setData(saved);
              setEditing(false);
            }}
            onCancel={() => setEditing(false)}
          />
        ) : (
          <PatientDetails patient={record} locationName={locationName} />
        )}
      </section>

      {/* Keyed on the record's state: archiving or erasing changes every "may we" answer, so reload them. */}
      {session.can('consent.read') && (
        <ConsentsPanel key={`${record.archived}-${record.erased}`} patient={record} />
      )}
      {session.can('photo.read') && !record.erased && <PhotosPanel patient={record} />}
      {session.can('plan.read') && !record.erased && <PlansPanel patient={record} />}
      {session.can('patientFile.read') && !record.erased && <FilesPanel patientId={record.id} />}
      {session.can('patient.erase') && !record.erased && (
        <EraseSection
          patient={record}
          onErased={(filesShredded) => {
            setErasedFiles(filesShredded);
            patient.reload();
          }}
        />
      )}
    </div>
  );
}

function PatientDetails({ patient, locationName }: { patient: Patient; locationName: string | undefined }) {
  return (
    <div className="details">
      <dl className="facts">
        <div>
          <dt>Mobile phone</dt>
          <dd>{patient.phone ?? '—'}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd>{patient.email ?? '—'}</dd>
        </div>
        <div>
          <dt>Address</dt>
          <dd className="pre">{patient.address ?? '—'}</dd>
        </div>
        <div>
          <dt>Found us through</dt>
          <dd>{CHANNEL_LABELS[patient.acquisitionChannel]}</dd>
        </div>
        {locationName && (
          <div>
            <dt>Usual location</dt>
            <dd>{locationName}</dd>
          </div>
        )}
        <div>
          <dt>Registered</dt>
          <dd>{formatDateTime(patient.createdAt)}</dd>
        </div>
      </dl>
      <h3>Medical history</h3>
      <MedicalHistorySummary history={patient.medicalHistory} />
      {patient.clinicalNotes !== undefined && (
        <>
          <h3>Clinical notes</h3>
          <p className="pre" data-testid="clinical-notes">
            {patient.clinicalNotes || 'No clinical notes.'}
          </p>
        </>
      )}
    </div>
  );
}

/** Only what was flagged, so a clinician sees the risks at a glance rather than a wall of "no". */
function MedicalHistorySummary({ history }: { history: MedicalHistory }) {
  const allergies = keysOf(ALLERGY_LABELS)
    .filter((key) => history.allergies[key])
    .map((key) => ALLERGY_LABELS[key]);
  if (history.allergies.other.trim()) allergies.push(history.allergies.other.trim());
  const conditions = keysOf(SCREENING_LABELS)
    .filter((key) => history[key])
    .map((key) => SCREENING_LABELS[key]);
  const notes = keysOf(HISTORY_TEXT_LABELS).filter((key) => history[key].trim() !== '');

  if (allergies.length === 0 && conditions.length === 0 && notes.length === 0) {
    return <p className="muted">Nothing flagged.</p>;
  }
  return (
    <dl className="facts" data-testid="medical-history">
      <div>
        <dt>Allergies</dt>
        <dd>{allergies.length > 0 ? allergies.join(', ') : 'None recorded'}</dd>
      </div>
      <div>
        <dt>Conditions</dt>
        <dd>{conditions.length > 0 ? conditions.join(', ') : 'None recorded'}</dd>
      </div>
      {notes.map((key) => (
        <div key={key}>
          <dt>{HISTORY_TEXT_LABELS[key]}</dt>
          <dd className="pre">{history[key]}</dd>
        </div>
      ))}
    </dl>
  );
}
