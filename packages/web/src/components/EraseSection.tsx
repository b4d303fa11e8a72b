import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { useSubmission } from '../hooks';
import type { Patient } from '../types';
import { Field } from './Field';
import { ProblemMessage, fieldError } from './Problem';

/**
 * Erasure destroys the patient's encryption key, so nothing can bring the record back. Typing the
 * family name makes sure the right patient is erased on purpose.
 */
export function EraseSection({ patient, onErased }: { patient: Patient; onErased(filesShredded: number): void }) {
  const [open, setOpen] = useState(false);
  const [confirmation, setConfirmation] = useState('');
  const submission = useSubmission();
  const matches = confirmation.trim().toLocaleLowerCase() === patient.familyName.trim().toLocaleLowerCase();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await submission.run(async () => {
      const result = await api.post<{ erasedAt: string; filesShredded: number }>(`/api/patients/${patient.id}/erase`, {
        confirmFamilyName: confirmation.trim(),
      });
      onErased(result.filesShredded);
    });
  };

  return (
    <section className="card danger-zone" aria-labelledby="erase-heading">
      <h2 id="erase-heading">Erase patient</h2>
      <p>
        Erasing permanently destroys this patient's details, photos, documents and signatures. It cannot be undone.
        The audit trail keeps a record that the erasure happened.
      </p>
      {!open ? (
        <button type="button" className="button danger" onClick={() => setOpen(true)}>
          Erase patient…
        </button>
      ) : (
        <form className="inline-form" onSubmit={submit}>
          <Field label={`Type the family name “${patient.familyName}” to confirm`}
            error={fieldError(submission.error, 'confirmFamilyName')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} autoComplete="off"
                value={confirmation} onChange={(e) => setConfirmation(e.target.value)} />
            )}
          </Field>
          <ProblemMessage error={submission.error} />
          <div className="button-row">
            <button type="submit" className="button danger" disabled={!matches || submission.busy}>
              Erase permanently
            </button>
            <button type="button" className="button secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
