import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import type { Action } from '@contour/domain/policy';
import { Layout, NotAllowed } from './components/Layout';
import { AnalysisPage } from './pages/AnalysisPage';
import { AuditPage } from './pages/AuditPage';
import { ConsultationPage } from './pages/ConsultationPage';
import { GovernancePage } from './pages/GovernancePage';
import { GuidedCapturePage } from './pages/GuidedCapturePage';
import { NewPatientPage } from './pages/NewPatientPage';
import { OverviewPage } from './pages/OverviewPage';
import { PatientPage } from './pages/PatientPage';
import { PatientsPage } from './pages/PatientsPage';
import { PhotoSessionPage } from './pages/PhotoSessionPage';
import { PlanPage } from './pages/PlanPage';
import { SettingsPage } from './pages/SettingsPage';
import { SetupPage } from './pages/SetupPage';
import { SignInPage } from './pages/SignInPage';
import { SimulationPage } from './pages/SimulationPage';
import { UsersPage } from './pages/UsersPage';
import { SessionProvider, useSession, useSessionState } from './session';
import './styles.css';

/** A page the role may open; others see an explanation instead of a page of errors. */
function Allowed({ anyOf, children }: { anyOf: Action[]; children: ReactNode }) {
  const session = useSession();
  return anyOf.some((action) => session.can(action)) ? children : <NotAllowed />;
}

/** The first page a role has: patients for the clinic team, figures for analysts. */
function Home() {
  const session = useSession();
  if (session.can('patient.search')) return <Navigate to="/patients" replace />;
  if (session.can('stats.read')) return <Navigate to="/overview" replace />;
  return <NotAllowed />;
}

function RedirectToSignIn() {
  const location = useLocation();
  return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
}

function App() {
  const { state, retry } = useSessionState();
  switch (state.status) {
    case 'loading':
      return <p className="boot muted">Loading Contour…</p>;
    case 'unreachable':
      return (
        <main className="auth-page" id="main">
          <div className="card auth-card" role="alert">
            <h1>Contour is not reachable</h1>
            <p>{state.message}</p>
            <button type="button" className="button primary" onClick={retry}>
              Try again
            </button>
          </div>
        </main>
      );
    case 'needsSetup':
      return (
        <Routes>
          <Route path="/setup" element={<SetupPage />} />
          <Route path="*" element={<Navigate to="/setup" replace />} />
        </Routes>
      );
    case 'signedOut':
      return (
        <Routes>
          <Route path="/sign-in" element={<SignInPage notice={state.notice} />} />
          <Route path="*" element={<RedirectToSignIn />} />
        </Routes>
      );
    case 'signedIn':
      return (
        <Routes>
          {/* Guided capture fills the screen: the camera picture matters more than the navigation. */}
          <Route path="patients/:patientId/photos/:sessionId/capture/:viewId"
            element={<Allowed anyOf={['photo.capture']}><GuidedCapturePage /></Allowed>} />
          <Route element={<Layout />}>
            <Route index element={<Home />} />
            <Route path="patients" element={<Allowed anyOf={['patient.search']}><PatientsPage /></Allowed>} />
            <Route path="patients/new" element={<Allowed anyOf={['patient.create']}><NewPatientPage /></Allowed>} />
            <Route path="patients/:patientId" element={<Allowed anyOf={['patient.read']}><PatientPage /></Allowed>} />
            <Route path="patients/:patientId/photos/:sessionId" element={<Allowed anyOf={['photo.read']}><PhotoSessionPage /></Allowed>} />
            <Route path="patients/:patientId/photos/:sessionId/analysis/:photoId" element={<Allowed anyOf={['analysis.read']}><AnalysisPage /></Allowed>} />
            <Route path="patients/:patientId/plans/new" element={<Allowed anyOf={['plan.create']}><ConsultationPage /></Allowed>} />
            <Route path="patients/:patientId/plans/:planId" element={<Allowed anyOf={['plan.read']}><PlanPage /></Allowed>} />
            <Route path="patients/:patientId/plans/:planId/simulate" element={<Allowed anyOf={['simulation.read']}><SimulationPage /></Allowed>} />
            <Route path="overview" element={<Allowed anyOf={['stats.read']}><OverviewPage /></Allowed>} />
            <Route path="users" element={<Allowed anyOf={['user.manage']}><UsersPage /></Allowed>} />
            <Route path="governance" element={<Allowed anyOf={['governance.read']}><GovernancePage /></Allowed>} />
            <Route path="settings" element={<Allowed anyOf={['location.manage', 'consentTemplate.manage', 'catalogue.manage', 'plan.review']}><SettingsPage /></Allowed>} />
            <Route path="audit" element={<Allowed anyOf={['audit.read']}><AuditPage /></Allowed>} />
            {/* Setup and sign-in are done; their addresses lead home. */}
            <Route path="*" element={<Navigate to="/" replace />} />
          </Route>
        </Routes>
      );
  }
}

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <BrowserRouter>
      <SessionProvider>
        <App />
      </SessionProvider>
    </BrowserRouter>
  </StrictMode>,
);
