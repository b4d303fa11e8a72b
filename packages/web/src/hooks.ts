import { useCallback, useEffect, useState } from 'react';
import { api, getBlob, isAbort } from './api';

export interface Resource<T> {
  data: T | null;
  error: unknown;
  loading: boolean;
  reload(): void;
  /** Replaces the loaded value with a server answer the page already has (after a save). */
  setData(value: T): void;
}

/** Loads a GET endpoint; a null path loads nothing (for sections the user may not see). */
export function useResource<T>(path: string | null): Resource<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(path !== null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    setLoading(true);
    api
      .get<T>(path, controller.signal)
      .then((value) => {
        setData(value);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (!isAbort(caught)) setError(caught);
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [path, version]);

  const reload = useCallback(() => setVersion((n) => n + 1), []);
  return { data, error, loading, reload, setData };
}

export interface Submission {
  busy: boolean;
  error: unknown;
  /** Runs a save, keeping the server's problem for the form to show; resolves true when it worked. */
  run(action: () => Promise<void>): Promise<boolean>;
  clear(): void;
}

export function useSubmission(): Submission {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, clear };
}

/** The value once it has stopped changing for `delay` ms, so typing does not send a request per key. */
export function useDebounced<T>(value: T, delay: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = window.setTimeout(() => setSettled(value), delay);
    return () => window.clearTimeout(timer);
  }, [value, delay]);
  return settled;
}

/**
 * An image the API serves (a photo or its thumbnail) as an object URL for an <img>. The bytes are
 * fetched with the session cookie and the URL is revoked when the path changes or the page leaves.
 */
export function useObjectUrl(path: string | null): { url: string | null; error: unknown } {
  const [state, setState] = useState<{ path: string | null; url: string | null; error: unknown }>({
    path: null,
    url: null,
    error: null,
  });

  useEffect(() => {
    if (path === null) return;
    const controller = new AbortController();
    let created: string | null = null;
    getBlob(path, controller.signal)
      .then((blob) => {
        created = URL.createObjectURL(blob);
        setState({ path, url: created, error: null });
      })
      .catch((caught: unknown) => {
        if (!isAbort(caught)) setState({ path, url: null, error: caught });
      });
    return () => {
      controller.abort();
      if (created) URL.revokeObjectURL(created);
    };
  }, [path]);

  // An answer for an earlier path is never shown for the current one.
  return state.path === path ? { url: state.url, error: state.error } : { url: null, error: null };
}
