import { useState, type FormEvent } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { api } from '../api';
import { Field } from '../components/Field';
import { ProblemMessage } from '../components/Problem';
import { useSubmission } from '../hooks';
import { useSessionState } from '../session';
import type { Session } from '../types';

export function SignInPage({ notice }: { notice: string | null }) {
  const { signedIn } = useSessionState();
  const navigate = useNavigate();
  const location = useLocation();
  const submission = useSubmission();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  // Return to the page that asked for sign-in; such paths carry ids only, never patient details.
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await submission.run(async () => {
      const session = await api.post<Session>('/api/auth/login', { email, password });
      signedIn(session);
      navigate(from, { replace: true });
    });
  };

  return (
    <main className="auth-page" id="main">
      <form className="card auth-card" onSubmit={submit} aria-labelledby="signin-heading">
        <h1 id="signin-heading">Sign in to Contour</h1>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <Field label="Email">
          {(c) => (
            <input id={c.id} required type="email" value={email} onChange={(e) => setEmail(e.target.value)}
              autoComplete="username" />
          )}
        </Field>
        <Field label="Password">
          {(c) => (
            <input id={c.id} required type="password" value={password} onChange={(e) => setPassword(e.target.value)}
              autoComplete="current-password" />
          )}
        </Field>
        <ProblemMessage error={submission.error} />
        <div className="actions">
          <button type="submit" className="button primary" disabled={submission.busy}>
            {submission.busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
    </main>
  );
}
