/**
 * Who is signed in, and what they may do. The server decides access; the permissions it sends with the
 * session only let the UI hide what would be refused anyway.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { Action } from '@contour/domain/policy';
import { ApiError, api, onSessionLost, setCsrfToken } from './api';
import type { Session } from './types';

export type SessionState =
  | { status: 'loading' }
  | { status: 'unreachable'; message: string }
  | { status: 'needsSetup' }
  | { status: 'signedOut'; notice: string | null }
  | { status: 'signedIn'; session: Session };

interface SessionContextValue {
  state: SessionState;
  /** Stores the session returned by setup or sign-in. */
  signedIn(session: Session): void;
  signOut(): Promise<void>;
  retry(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    const settle = (next: SessionState) => {
      if (!cancelled) setState(next);
    };
    (async () => {
      try {
        const setup = await api.get<{ needsSetup: boolean }>('/api/setup');
        if (setup.needsSetup) return settle({ status: 'needsSetup' });
        const session = await api.get<Session>('/api/auth/session');
        setCsrfToken(session.csrfToken);
        settle({ status: 'signedIn', session });
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return settle({ status: 'signedOut', notice: null });
        settle({ status: 'unreachable', message: error instanceof Error ? error.message : String(error) });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [attempt]);

  useEffect(() => {
    onSessionLost(() => {
      setCsrfToken(null);
      setState({ status: 'signedOut', notice: 'Your session has ended. Please sign in again.' });
    });
    return () => onSessionLost(null);
  }, []);

  const signedIn = useCallback((session: Session) => {
    setCsrfToken(session.csrfToken);
    setState({ status: 'signedIn', session });
  }, []);

  const signOut = useCallback(async () => {
    // Forget the session locally even if the server could not be reached; the cookie expires on its own.
    await api.post<unknown>('/api/auth/logout').catch(() => undefined);
    setCsrfToken(null);
    setState({ status: 'signedOut', notice: null });
  }, []);

  const retry = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo(() => ({ state, signedIn, signOut, retry }), [state, signedIn, signOut, retry]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSessionState(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSessionState must be used inside <SessionProvider>');
  return value;
}

/** The signed-in session; only for pages rendered behind the sign-in guard. */
export function useSession(): Session & { can(action: Action): boolean } {
  const { state } = useSessionState();
  if (state.status !== 'signedIn') throw new Error('useSession needs a signed-in user');
  const { session } = state;
  return useMemo(() => ({ ...session, can: (action: Action) => session.permissions.includes(action) }), [session]);
}
