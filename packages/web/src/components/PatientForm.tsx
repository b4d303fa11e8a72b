import { useState, type FormEvent } from 'react';
import { ACQUISITION_CHANNELS, SEXES, emptyMedicalHistory, type AcquisitionChannel, type MedicalHistory, type Sex } from '@contour/domain/patient';
import { api } from '../api';
import { useResource, useSubmission } from '../hooks';
import {
  ALLERGY_LABELS,
  CHANNEL_LABELS,
  HISTORY_TEXT_LABELS,
  SCREENING_LABELS,
  SEX_LABELS,
  keysOf,
} from '../labels';
import { useSession } from '../session';
import type { Location, Patient, PatientInput } from '../types';
import { Checkbox, Field } from './Field';
import { ProblemMessage, fieldError } from './Problem';

/** Optional text fields: left out of a new record when blank. */
const OPTIONAL_TEXT = ['preferredName', 'dateOfBirth', 'email', 'phone', 'address', 'locationId'] as const;
type OptionalText = (typeof OPTIONAL_TEXT)[number];

interface Draft extends Record<OptionalText, string> {
  givenName: string;
  familyName: string;
  sex: Sex | '';
  acquisitionChannel: AcquisitionChannel | '';
  medicalHistory: MedicalHistory;
  clinicalNotes: string;
}

function draftFrom(patient: Patient | null): Draft {
  return {
    givenName: patient?.givenName ?? '',
    familyName: patient?.familyName ?? '',
    preferredName: patient?.preferredName ?? '',
    dateOfBirth: patient?.dateOfBirth ?? '',
    sex: patient?.sex ?? '',
    email: patient?.email ?? '',
    phone: patient?.phone ?? '',
    address: patient?.address ?? '',
    acquisitionChannel: patient?.acquisitionChannel ?? '',
    locationId: patient?.locationId ?? '',
    medicalHistory: patient?.medicalHistory ?? emptyMedicalHistory(),
    clinicalNotes: patient?.clinicalNotes ?? '',
  };
}

interface PatientFormProps {
  /** The record being edited; null registers a new patient. */
  patient: Patient | null;
  onSaved(patient: Patient): void;
  onCancel(): void;
}

export function PatientForm({ patient, onSaved, onCancel }: PatientFormProps) {
  const session = useSession();
  const submission = useSubmission();
  const [draft, setDraft] = useState<Draft>(() => draftFrom(patient));
  const locations = useResource<{ items: Location[] }>(session.can('location.read') ? '/api/locations' : null);
  // Notes are offered only to those who may both read and write them, so nobody overwrites notes they cannot see.
  const editsNotes = session.can('patient.clinicalNotes.read') && session.can('patient.clinicalNotes.write');
  const error = submission.error;

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft((current) => ({ ...current, [key]: value }));
  const setHistory = (change: Partial<MedicalHistory>) =>
    setDraft((current) => ({ ...current, medicalHistory: { ...current.medicalHistory, ...change } }));
  const setAllergy = (change: Partial<MedicalHistory['allergies']>) =>
    setHistory({ allergies: { ...draft.medicalHistory.allergies, ...change } });

  const body = (sex: Sex, acquisitionChannel: AcquisitionChannel): PatientInput => {
    const input: PatientInput = {
      givenName: draft.givenName.trim(),
      familyName: draft.familyName.trim(),
      sex,
      acquisitionChannel,
      medicalHistory: draft.medicalHistory,
    };
    const original = draftFrom(patient);
    for (const key of OPTIONAL_TEXT) {
      const value = draft[key].trim();
      // A new record leaves blanks out; an edit sends what changed, and null for a field emptied on purpose.
      if (patient ? value !== original[key] : value !== '') input[key] = value === '' ? null : value;
    }
    if (editsNotes && (patient ? draft.clinicalNotes !== original.clinicalNotes : draft.clinicalNotes.trim() !== '')) {
      input.clinicalNotes = draft.clinicalNotes;
    }
    return input;
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { sex, acquisitionChannel } = draft;
    if (sex === '' || acquisitionChannel === '') return;
    await submission.run(async () => {
      const saved = patient
        ? await api.patch<Patient>(`/api/patients/${patient.id}`, body(sex, acquisitionChannel))
        : await api.post<Patient>('/api/patients', body(sex, acquisitionChannel));
      onSaved(saved);
    });
  };

  const history = draft.medicalHistory;
  return (
    <form className="patient-form" onSubmit={submit} data-testid="patient-form">
      <fieldset>
        <legend>About the patient</legend>
        <div className="grid">
          <Field label="Given name" error={fieldError(error, 'givenName')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required autoComplete="off"
                value={draft.givenName} onChange={(e) => set('givenName', e.target.value)} />
            )}
          </Field>
          <Field label="Family name" error={fieldError(error, 'familyName')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required autoComplete="off"
                value={draft.familyName} onChange={(e) => set('familyName', e.target.value)} />
            )}
          </Field>
          <Field label="Preferred name" hint="Optional" error={fieldError(error, 'preferredName')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} autoComplete="off"
                value={draft.preferredName} onChange={(e) => set('preferredName', e.target.value)} />
            )}
          </Field>
          <Field label="Date of birth" error={fieldError(error, 'dateOfBirth')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} type="date" autoComplete="off"
                value={draft.dateOfBirth} onChange={(e) => set('dateOfBirth', e.target.value)} />
            )}
          </Field>
          <Field label="Sex" error={fieldError(error, 'sex')}>
            {(c) => (
              <select id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required value={draft.sex}
                onChange={(e) => set('sex', e.target.value as Sex | '')}>
                <option value="">Choose…</option>
                {SEXES.map((sex) => (
                  <option key={sex} value={sex}>
                    {SEX_LABELS[sex]}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field label="How did they find us?" error={fieldError(error, 'acquisitionChannel')}>
            {(c) => (
              <select id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required
                value={draft.acquisitionChannel}
                onChange={(e) => set('acquisitionChannel', e.target.value as AcquisitionChannel | '')}>
                <option value="">Choose…</option>
                {ACQUISITION_CHANNELS.map((channel) => (
                  <option key={channel} value={channel}>
                    {CHANNEL_LABELS[channel]}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
      </fieldset>

      <fieldset>
        <legend>Contact</legend>
        <div className="grid">
          <Field label="Mobile phone" error={fieldError(error, 'phone')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} type="tel" autoComplete="off"
                pattern="[+0-9 \(\)\-.]*" title="Digits, spaces and + ( ) - . only"
                value={draft.phone} onChange={(e) => set('phone', e.target.value)} />
            )}
          </Field>
          <Field label="Email" error={fieldError(error, 'email')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} type="email" autoComplete="off"
                value={draft.email} onChange={(e) => set('email', e.target.value)} />
            )}
          </Field>
          <Field label="Address" className="span-2" error={fieldError(error, 'address')}>
            {(c) => (
              <textarea id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} rows={2}
                value={draft.address} onChange={(e) => set('address', e.target.value)} />
            )}
          </Field>
          {locations.data && locations.data.items.length > 0 && (
            <Field label="Usual location" error={fieldError(error, 'locationId')}>
              {(c) => (
                <select id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} value={draft.locationId}
                  onChange={(e) => set('locationId', e.target.value)}>
                  <option value="">Not set</option>
                  {locations.data?.items.map((location) => (
                    <option key={location.id} value={location.id}>
                      {location.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          )}
        </div>
      </fieldset>

      <fieldset>
        <legend>Medical history</legend>
        <p className="hint">Tick everything that applies. Allergies and these conditions affect which treatments are safe.</p>
        <fieldset className="nested">
          <legend>Allergies</legend>
          <div className="checks">
            {keysOf(ALLERGY_LABELS).map((key) => (
              <Checkbox key={key} label={ALLERGY_LABELS[key]} checked={history.allergies[key]}
                onChange={(checked) => setAllergy({ [key]: checked })} />
            ))}
          </div>
          <Field label="Other allergies" error={fieldError(error, 'medicalHistory.allergies.other')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} autoComplete="off"
                value={history.allergies.other} onChange={(e) => setAllergy({ other: e.target.value })} />
            )}
          </Field>
        </fieldset>
        <fieldset className="nested">
          <legend>Conditions</legend>
          <div className="checks">
            {keysOf(SCREENING_LABELS).map((key) => (
              <Checkbox key={key} label={SCREENING_LABELS[key]} checked={history[key]}
                onChange={(checked) => setHistory({ [key]: checked })} />
            ))}
          </div>
        </fieldset>
        <div className="grid">
          {keysOf(HISTORY_TEXT_LABELS).map((key) => (
            <Field key={key} label={HISTORY_TEXT_LABELS[key]} error={fieldError(error, `medicalHistory.${key}`)}>
              {(c) => (
                <textarea id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} rows={2}
                  value={history[key]} onChange={(e) => setHistory({ [key]: e.target.value })} />
              )}
            </Field>
          ))}
        </div>
      </fieldset>

      {editsNotes && (
        <Field label="Clinical notes" hint="Seen by clinicians and management only, never by the front desk."
          error={fieldError(error, 'clinicalNotes')}>
          {(c) => (
            <textarea id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} rows={4}
              value={draft.clinicalNotes} onChange={(e) => set('clinicalNotes', e.target.value)} />
          )}
        </Field>
      )}

      <ProblemMessage error={error} />
      <div className="actions">
        <button type="submit" className="button primary" disabled={submission.busy}>
          {submission.busy ? 'Saving…' : patient ? 'Save changes' : 'Register patient'}
        </button>
        <button type="button" className="button secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
