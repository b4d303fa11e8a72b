import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { api } from '../api';
import { Field } from '../components/Field';
import { ProblemMessage, fieldError } from '../components/Problem';
import { useSubmission } from '../hooks';
import { useSessionState } from '../session';
import type { Session } from '../types';

/** First run: creates the clinic, its first location and the owner, who is then signed in. */
export function SetupPage() {
  const { signedIn } = useSessionState();
  const navigate = useNavigate();
  const submission = useSubmission();
  const [clinicName, setClinicName] = useState('');
  const [locationName, setLocationName] = useState('');
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const [displayName, setDisplayName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const error = submission.error;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await submission.run(async () => {
      const session = await api.post<Session>('/api/setup', {
        clinicName,
        locationName,
        ...(timezone.trim() ? { timezone: timezone.trim() } : {}),
        owner: { email, displayName, password },
      });
      signedIn(session);
      navigate('/patients', { replace: true });
    });
  };

  return (
    <main className="auth-page" id="main">
      <form className="card auth-card wide" onSubmit={submit} aria-labelledby="setup-heading">
        <h1 id="setup-heading">Set up your clinic</h1>
        <p className="lead">Welcome to Contour. Tell us about the clinic and create the owner's account.</p>
        <fieldset>
          <legend>Clinic</legend>
          <Field label="Clinic name" error={fieldError(error, 'clinicName')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required value={clinicName}
                onChange={(e) => setClinicName(e.target.value)} autoComplete="organization" />
            )}
          </Field>
          <Field label="First location" hint="For example the street or town of the clinic." error={fieldError(error, 'locationName')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required value={locationName}
                onChange={(e) => setLocationName(e.target.value)} />
            )}
          </Field>
          <Field label="Time zone" hint="As in Europe/London." error={fieldError(error, 'timezone')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} value={timezone}
                onChange={(e) => setTimezone(e.target.value)} />
            )}
          </Field>
        </fieldset>
        <fieldset>
          <legend>Owner</legend>
          <Field label="Your name" error={fieldError(error, 'owner.displayName')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required value={displayName}
                onChange={(e) => setDisplayName(e.target.value)} autoComplete="name" />
            )}
          </Field>
          <Field label="Email" error={fieldError(error, 'owner.email')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required type="email" value={email}
                onChange={(e) => setEmail(e.target.value)} autoComplete="username" />
            )}
          </Field>
          <Field label="Password" hint="At least 12 characters." error={fieldError(error, 'owner.password')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required type="password"
                minLength={12} value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
            )}
          </Field>
        </fieldset>
        <ProblemMessage error={error} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={submission.busy}>
            {submission.busy ? 'Setting up…' : 'Create clinic'}
          </button>
        </div>
      </form>
    </main>
  );
}
