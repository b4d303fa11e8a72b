import { useState, type FormEvent } from 'react';
import { ROLE_LABELS, assignableRoles, type Role } from '@contour/domain/policy';
import { api } from '../api';
import { Field } from '../components/Field';
import { ProblemMessage, fieldError } from '../components/Problem';
import { formatDate } from '../format';
import { useResource, useSubmission } from '../hooks';
import { useSession } from '../session';
import type { User } from '../types';

const ROLE_HINTS: Record<Role, string> = {
  owner: 'Runs the practice: everything, including users and the audit trail.',
  admin: 'Manages users, settings and the audit trail.',
  clinician: 'Sees clinical notes and files; signs treatment decisions. Needs a registration number.',
  staff: 'Front desk: registers patients and records consents; no clinical notes or files.',
  analyst: 'Sees practice figures only, never individual patients.',
};

export function UsersPage() {
  const session = useSession();
  const users = useResource<{ items: User[] }>('/api/users');
  const [adding, setAdding] = useState(false);
  const roles = assignableRoles(session.user.role);

  const replace = (user: User) => {
    if (users.data) users.setData({ items: users.data.items.map((item) => (item.id === user.id ? user : item)) });
  };

  return (
    <section className="page">
      <div className="page-header">
        <h1>Users</h1>
        {!adding && (
          <button type="button" className="button primary" onClick={() => setAdding(true)}>
            Add user
          </button>
        )}
      </div>
      {adding && (
        <AddUserForm
          roles={roles}
          onDone={(user) => {
            setAdding(false);
            if (user) users.reload();
          }}
        />
      )}
      <ProblemMessage error={users.error} />
      {users.data && (
        <ul className="user-list" aria-label="Users">
          {users.data.items.map((user) => (
            <UserRow key={user.id} user={user} isSelf={user.id === session.user.id}
              mayManage={roles.includes(user.role)} roles={roles} onChanged={replace} />
          ))}
        </ul>
      )}
    </section>
  );
}

function RoleSelect({ id, describedBy, value, roles, onChange }: {
  id: string;
  describedBy: string | undefined;
  value: Role;
  roles: Role[];
  onChange(role: Role): void;
}) {
  return (
    <select id={id} aria-describedby={describedBy} value={value} onChange={(e) => onChange(e.target.value as Role)}>
      {roles.map((role) => (
        <option key={role} value={role}>
          {ROLE_LABELS[role]}
        </option>
      ))}
    </select>
  );
}

function AddUserForm({ roles, onDone }: { roles: Role[]; onDone(user: User | null): void }) {
  const submission = useSubmission();
  const [email, setEmail] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [role, setRole] = useState<Role>(roles.includes('staff') ? 'staff' : (roles[0] ?? 'staff'));
  const [registrationNumber, setRegistrationNumber] = useState('');
  const [password, setPassword] = useState('');
  const error = submission.error;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await submission.run(async () => {
      const user = await api.post<User>('/api/users', {
        email: email.trim(),
        displayName: displayName.trim(),
        role,
        ...(registrationNumber.trim() ? { registrationNumber: registrationNumber.trim() } : {}),
        password,
      });
      onDone(user);
    });
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="add-user-heading">
      <h2 id="add-user-heading">Add user</h2>
      <div className="grid">
        <Field label="Name" error={fieldError(error, 'displayName')}>
          {(c) => (
            <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required autoComplete="off"
              value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
          )}
        </Field>
        <Field label="Email" error={fieldError(error, 'email')}>
          {(c) => (
            <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required type="email"
              autoComplete="off" value={email} onChange={(e) => setEmail(e.target.value)} />
          )}
        </Field>
        <Field label="Role" hint={ROLE_HINTS[role]} error={fieldError(error, 'role')}>
          {(c) => <RoleSelect id={c.id} describedBy={c.describedBy} value={role} roles={roles} onChange={setRole} />}
        </Field>
        {role === 'clinician' && (
          <Field label="Registration number" hint="The clinician's professional registration (e.g. GMC, NMC)."
            error={fieldError(error, 'registrationNumber')}>
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required autoComplete="off"
                value={registrationNumber} onChange={(e) => setRegistrationNumber(e.target.value)} />
            )}
          </Field>
        )}
        <Field label="Temporary password" hint="At least 12 characters. Share it in person." error={fieldError(error, 'password')}>
          {(c) => (
            <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required type="password"
              minLength={12} autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          )}
        </Field>
      </div>
      <ProblemMessage error={error} />
      <div className="button-row">
        <button type="submit" className="button primary" disabled={submission.busy}>
          {submission.busy ? 'Adding…' : 'Add user'}
        </button>
        <button type="button" className="button secondary" onClick={() => onDone(null)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

interface UserRowProps {
  user: User;
  isSelf: boolean;
  /** An administrator cannot manage owners; nobody changes their own role or deactivates themselves here. */
  mayManage: boolean;
  roles: Role[];
  onChanged(user: User): void;
}

function UserRow({ user, isSelf, mayManage, roles, onChanged }: UserRowProps) {
  const [open, setOpen] = useState(false);
  const [role, setRole] = useState<Role>(user.role);
  const [registrationNumber, setRegistrationNumber] = useState(user.registrationNumber ?? '');
  const [password, setPassword] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const submission = useSubmission();
  const error = submission.error;

  const update = (change: Record<string, unknown>, message: string) =>
    submission.run(async () => {
      setSaved(null);
      onChanged(await api.patch<User>(`/api/users/${user.id}`, change));
      setSaved(message);
    });

  const saveRole = (event: FormEvent) => {
    event.preventDefault();
    const change: Record<string, unknown> = { role };
    if (role === 'clinician') change.registrationNumber = registrationNumber.trim();
    void update(change, 'Role saved.');
  };

  const resetPassword = async (event: FormEvent) => {
    event.preventDefault();
    if (await update({ password }, 'Password reset. Share the new password in person.')) setPassword('');
  };

  return (
    <li className="user card" data-testid="user-row">
      <div className="user-main">
        <div>
          <p className="user-name">
            {user.displayName} {isSelf && <span className="muted">(you)</span>}
          </p>
          <p className="muted">{user.email}</p>
        </div>
        <div className="user-meta">
          <span className="badge">{ROLE_LABELS[user.role]}</span>
          {user.registrationNumber && <span className="muted">Reg. {user.registrationNumber}</span>}
          {!user.active && <span className="badge warn">Deactivated</span>}
          <span className="muted hide-narrow">Since {formatDate(user.createdAt)}</span>
        </div>
        {mayManage && (
          <button type="button" className="button secondary" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Close' : 'Manage'}
            <span className="visually-hidden"> {user.displayName}</span>
          </button>
        )}
      </div>
      {open && (
        <div className="user-manage">
          {!isSelf && (
            <form className="inline-form" onSubmit={saveRole}>
              <div className="grid">
                <Field label="Role" hint={ROLE_HINTS[role]} error={fieldError(error, 'role')}>
                  {(c) => <RoleSelect id={c.id} describedBy={c.describedBy} value={role} roles={roles} onChange={setRole} />}
                </Field>
                {role === 'clinician' && (
                  <Field label="Registration number" error={fieldError(error, 'registrationNumber')}>
                    {(c) => (
                      <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required autoComplete="off"
                        value={registrationNumber} onChange={(e) => setRegistrationNumber(e.target.value)} />
                    )}
                  </Field>
                )}
              </div>
              <div className="button-row">
                <button type="submit" className="button secondary" disabled={submission.busy}>
                  Save role
                </button>
                <button type="button" className={`button ${user.active ? 'danger' : 'secondary'}`} disabled={submission.busy}
                  onClick={() => void update({ active: !user.active }, user.active ? 'User deactivated.' : 'User reactivated.')}>
                  {user.active ? 'Deactivate' : 'Reactivate'}
                </button>
              </div>
            </form>
          )}
          <form className="inline-form" onSubmit={resetPassword}>
            <Field label="New password" hint="At least 12 characters." error={fieldError(error, 'password')}>
              {(c) => (
                <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required type="password"
                  minLength={12} autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
              )}
            </Field>
            <div className="button-row">
              <button type="submit" className="button secondary" disabled={submission.busy}>
                Reset password
              </button>
            </div>
          </form>
          <ProblemMessage error={error} />
          {saved && (
            <p className="notice" role="status">
              {saved}
            </p>
          )}
        </div>
      )}
    </li>
  );
}
