import { NavLink, Outlet } from 'react-router-dom';
import { ROLE_LABELS, type Action } from '@contour/domain/policy';
import { useSession, useSessionState } from '../session';

interface NavItem {
  to: string;
  label: string;
  /** Shown when the user holds any of these. */
  anyOf: Action[];
}

/**
 * Management pages are shown to those who manage, not to everyone who may merely list (front desk can list users).
 * Clinicians see Settings for the treatment catalogue their plans are made with (read-only for them).
 */
const NAV: NavItem[] = [
  { to: '/patients', label: 'Patients', anyOf: ['patient.search'] },
  { to: '/overview', label: 'Overview', anyOf: ['stats.read'] },
  { to: '/users', label: 'Users', anyOf: ['user.manage'] },
  { to: '/governance', label: 'AI governance', anyOf: ['governance.read'] },
  { to: '/settings', label: 'Settings', anyOf: ['location.manage', 'consentTemplate.manage', 'catalogue.manage', 'plan.review'] },
  { to: '/audit', label: 'Audit', anyOf: ['audit.read'] },
];

export function Layout() {
  const session = useSession();
  const { signOut } = useSessionState();
  const items = NAV.filter((item) => item.anyOf.some((action) => session.can(action)));
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            C
          </span>
          <span className="brand-text">
            <span className="brand-name">Contour</span>
            <span className="clinic-name" data-testid="clinic-name">
              {session.user.organisation.name}
            </span>
          </span>
        </div>
        <div className="whoami">
          <span className="whoami-text" data-testid="signed-in-user">
            <span className="whoami-name">{session.user.displayName}</span>
            <span className="whoami-role">{ROLE_LABELS[session.user.role]}</span>
          </span>
          <button type="button" className="button secondary" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <nav className="mainnav" aria-label="Main">
        <ul>
          {items.map((item) => (
            <li key={item.to}>
              <NavLink to={item.to}>{item.label}</NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

/** Shown instead of a page the user's role may not open, e.g. when following an old link. */
export function NotAllowed() {
  return (
    <section className="page">
      <h1>Not available</h1>
      <p>Your role does not include this part of Contour. Ask the practice owner if you need it.</p>
    </section>
  );
}
