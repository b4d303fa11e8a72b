import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ZONE_IDS } from '@contour/domain/face-analysis';
import { DOWNTIME_TOLERANCE, PATIENT_GOALS, SUBTLETY } from '@contour/domain/treatment-plan';
import { api } from '../api';
import { PhotoProblem } from '../components/ConsentProblem';
import { Checkbox, Field } from '../components/Field';
import { PhotoThumbnail } from '../components/PhotoThumbnail';
import { fieldError } from '../components/Problem';
import { formatDate, fullName, localToday } from '../format';
import { useResource, useSubmission } from '../hooks';
import { DOWNTIME_LABELS, GOAL_LABELS, SUBTLETY_LABELS, ZONE_LABELS } from '../labels';
import { useSession } from '../session';
import type {
  ConsultationIntake,
  DowntimeTolerance,
  Patient,
  PatientGoal,
  Photo,
  PhotoSession,
  PlanView,
  StoredCatalogue,
  Subtlety,
  ZoneId,
} from '../types';

/** The patient's analysed frontal photos, newest first: what a plan can be made from. */
function analysedFrontals(sessions: PhotoSession[]): { photo: Photo; visitDate: string }[] {
  return sessions
    .flatMap((session) =>
      session.views
        .filter((entry) => entry.view.id === 'frontal' && entry.photo?.status === 'analysed')
        .map((entry) => ({ photo: entry.photo as Photo, visitDate: session.visitDate })),
    )
    .sort((a, b) => b.photo.createdAt.localeCompare(a.photo.createdAt));
}

export function ConsultationPage() {
  const { patientId = '' } = useParams();
  return <ConsultationForm key={patientId} patientId={patientId} />;
}

function ConsultationForm({ patientId }: { patientId: string }) {
  const session = useSession();
  const navigate = useNavigate();
  const patient = useResource<Patient>(`/api/patients/${patientId}`);
  const sessions = useResource<{ items: PhotoSession[] }>(session.can('photo.read') ? `/api/patients/${patientId}/photo-sessions` : null);
  const catalogue = useResource<StoredCatalogue>('/api/catalogue');
  const submission = useSubmission();

  const [concerns, setConcerns] = useState('');
  const [goals, setGoals] = useState<PatientGoal[]>([]);
  const [subtlety, setSubtlety] = useState<Subtlety>('balanced');
  const [budget, setBudget] = useState('');
  const [downtime, setDowntime] = useState<DowntimeTolerance>('few_days');
  const [eventDate, setEventDate] = useState('');
  const [eventDescription, setEventDescription] = useState('');
  // undefined: the newest analysed frontal photo (once loaded); null: no photo.
  const [photoChoice, setPhotoChoice] = useState<string | null | undefined>(undefined);
  const [infected, setInfected] = useState<ZoneId[]>([]);

  const photos = analysedFrontals(sessions.data?.items ?? []);
  const photoId = photoChoice === undefined ? (photos[0]?.photo.id ?? null) : photoChoice;
  const currency = catalogue.data?.catalogue.currency ?? '';
  const error = submission.error;

  const toggle = <T,>(list: T[], value: T, on: boolean): T[] => (on ? [...list, value] : list.filter((item) => item !== value));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const intake: ConsultationIntake = {
      concerns: concerns.trim(),
      goals,
      subtlety,
      budget: budget.trim() === '' ? null : Number(budget),
      downtime,
      upcomingEvent: eventDate ? { date: eventDate, description: eventDescription.trim() } : null,
    };
    await submission.run(async () => {
      const plan = await api.post<PlanView>(`/api/patients/${patientId}/plans`, { intake, photoId, infectedZones: infected });
      navigate(`/patients/${patientId}/plans/${plan.id}`);
    });
  };

  return (
    <div className="page consultation-page">
      <p className="breadcrumb">
        <Link to={`/patients/${patientId}`}>{patient.data ? fullName(patient.data) : 'Patient'}</Link>
      </p>
      <h1>New consultation</h1>
      <p className="hint">
        What the patient tells you, in their words. Contour suggests a plan from it, the facial analysis of the photo
        and the medical history; a clinician reviews every item before anything is signed.
      </p>
      <form className="card intake-form" onSubmit={(event) => void submit(event)} aria-label="Consultation intake">
        <Field label="Concerns, in the patient's words" error={fieldError(error, 'intake.concerns')}>
          {(c) => (
            <textarea id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} rows={4} maxLength={2000}
              value={concerns} onChange={(e) => setConcerns(e.target.value)} />
          )}
        </Field>

        <fieldset>
          <legend>Goals</legend>
          <div className="checks">
            {PATIENT_GOALS.map((goal) => (
              <Checkbox key={goal} label={GOAL_LABELS[goal]} checked={goals.includes(goal)}
                onChange={(on) => setGoals((list) => toggle(list, goal, on))} />
            ))}
          </div>
        </fieldset>

        <fieldset>
          <legend>How visible should the result be?</legend>
          <div className="checks">
            {SUBTLETY.map((value) => (
              <label key={value} className="checkbox">
                <input type="radio" name="subtlety" checked={subtlety === value} onChange={() => setSubtlety(value)} />
                <span>{SUBTLETY_LABELS[value]}</span>
              </label>
            ))}
          </div>
        </fieldset>

        <fieldset>
          <legend>Downtime the patient accepts</legend>
          <div className="checks">
            {DOWNTIME_TOLERANCE.map((value) => (
              <label key={value} className="checkbox">
                <input type="radio" name="downtime" checked={downtime === value} onChange={() => setDowntime(value)} />
                <span>{DOWNTIME_LABELS[value]}</span>
              </label>
            ))}
          </div>
        </fieldset>

        <div className="grid">
          <Field label={`Budget${currency ? ` (${currency})` : ''}`} hint="Optional. Leave empty when the patient gave none."
            error={fieldError(error, 'intake.budget')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} type="number" min={0} step="any"
                inputMode="decimal" value={budget} onChange={(e) => setBudget(e.target.value)} />
            )}
          </Field>
          <Field label="Upcoming event date" hint="Optional, e.g. a wedding the patient wants to look their best for."
            error={fieldError(error, 'intake.upcomingEvent.date')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} type="date" min={localToday()}
                value={eventDate} onChange={(e) => setEventDate(e.target.value)} />
            )}
          </Field>
          {eventDate && (
            <Field label="What is the event?" className="span-2" error={fieldError(error, 'intake.upcomingEvent.description')}>
              {(c) => (
                <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} maxLength={200}
                  value={eventDescription} onChange={(e) => setEventDescription(e.target.value)} />
              )}
            </Field>
          )}
        </div>

        <fieldset data-testid="plan-photo">
          <legend>Photo to plan from</legend>
          <PhotoProblem error={sessions.error} patientId={patientId} />
          {sessions.data && photos.length === 0 && (
            <p className="muted">
              No analysed frontal photo yet: the plan will rest on the intake and the medical history only.
            </p>
          )}
          <div className="photo-choices">
            {photos.map(({ photo, visitDate }) => (
              <label key={photo.id} className={`photo-choice${photoId === photo.id ? ' chosen' : ''}`}>
                <input type="radio" name="photo" checked={photoId === photo.id} onChange={() => setPhotoChoice(photo.id)}
                  aria-label={`Frontal photo of ${formatDate(visitDate)}`} />
                <PhotoThumbnail photoId={photo.id} alt={`Frontal photo of ${formatDate(visitDate)}`} />
                <span>{formatDate(visitDate)}</span>
              </label>
            ))}
            {photos.length > 0 && (
              <label className={`photo-choice none${photoId === null ? ' chosen' : ''}`}>
                <input type="radio" name="photo" checked={photoId === null} onChange={() => setPhotoChoice(null)} />
                <span>No photo</span>
              </label>
            )}
          </div>
        </fieldset>

        <details className="infected-zones">
          <summary>Zones with an active infection or open lesion today{infected.length > 0 && ` (${infected.length})`}</summary>
          <p className="hint">Nothing is suggested where the skin is infected today.</p>
          <div className="checks zone-checks">
            {ZONE_IDS.map((zone) => (
              <Checkbox key={zone} label={ZONE_LABELS[zone]} checked={infected.includes(zone)}
                onChange={(on) => setInfected((list) => toggle(list, zone, on))} />
            ))}
          </div>
        </details>

        <PhotoProblem error={error} patientId={patientId} />
        <div className="button-row">
          <button type="submit" className="button primary" disabled={submission.busy}>
            {submission.busy ? 'Making the plan…' : 'Suggest a plan'}
          </button>
          <Link className="button secondary" to={`/patients/${patientId}`}>
            Cancel
          </Link>
        </div>
      </form>
    </div>
  );
}
