/**
 * The one way the web app talks to the server. The session lives in an HttpOnly cookie, so the only
 * secret the page holds is the CSRF token, kept in memory (never in storage) and sent on every
 * request that changes something.
 */

export interface FieldProblem {
  path: string;
  message: string;
}

/** An RFC 9457 problem answer, thrown so forms can show the server's own words. */
export class ApiError extends Error {
  readonly status: number;
  /** The problem type's last part, e.g. "consent-required" for `urn:contour:problem:consent-required`. */
  readonly type: string | null;
  readonly title: string;
  readonly detail: string | null;
  readonly errors: FieldProblem[];

  constructor(status: number, title: string, detail: string | null, errors: FieldProblem[], type: string | null = null) {
    super(detail ?? title);
    this.name = 'ApiError';
    this.status = status;
    this.type = type;
    this.title = title;
    this.detail = detail;
    this.errors = errors;
  }
}

let csrfToken: string | null = null;
let sessionLost: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a signed-in request answers 401, i.e. the session expired or was revoked elsewhere. */
export function onSessionLost(listener: (() => void) | null): void {
  sessionLost = listener;
}

type Query = Record<string, string | number | boolean | null | undefined>;

/** Adds the non-empty parameters to a path. */
export function withQuery(path: string, query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  json?: unknown;
  /** A raw body (file upload); its type is sent as the content type. */
  blob?: Blob;
  signal?: AbortSignal;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.blob) {
    headers['content-type'] = options.blob.type || 'application/octet-stream';
    body = options.blob;
  }
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;

  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body !== undefined) init.body = body;
  if (options.signal) init.signal = options.signal;
  const response = await fetch(path, init);

  if (response.ok) {
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }
  const error = await problemFrom(response);
  if (response.status === 401 && csrfToken !== null) sessionLost?.();
  throw error;
}

async function problemFrom(response: Response): Promise<ApiError> {
  const type = response.headers.get('content-type') ?? '';
  if (type.includes('json')) {
    try {
      const problem = (await response.json()) as {
        type?: unknown;
        title?: unknown;
        detail?: unknown;
        errors?: unknown;
      };
      const errors = Array.isArray(problem.errors)
        ? problem.errors.filter(
            (item): item is FieldProblem =>
              typeof item === 'object' && item !== null && typeof item.message === 'string',
          )
        : [];
      return new ApiError(
        response.status,
        typeof problem.title === 'string' ? problem.title : response.statusText,
        typeof problem.detail === 'string' ? problem.detail : null,
        errors.map((item) => ({ path: typeof item.path === 'string' ? item.path : '', message: item.message })),
        typeof problem.type === 'string' ? (problem.type.split(/[:/#]/).pop() ?? null) : null,
      );
    } catch {
      // Fall through: a body that claims JSON but is not still deserves a readable error.
    }
  }
  return new ApiError(response.status, response.statusText || 'Request failed', null, []);
}

/**
 * Bytes the page shows without putting them in an address (photos): fetched with the session cookie and
 * handed to an <img> as an object URL, so nothing about the patient reaches the URL bar or history.
 */
export async function getBlob(path: string, signal?: AbortSignal, accept = 'image/*'): Promise<Blob> {
  const init: RequestInit = { credentials: 'same-origin', headers: { accept } };
  if (signal) init.signal = signal;
  const response = await fetch(path, init);
  if (response.ok) return response.blob();
  const error = await problemFrom(response);
  if (response.status === 401 && csrfToken !== null) sessionLost?.();
  throw error;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>(path, signal ? { signal } : {}),
  post: <T>(path: string, json?: unknown) => request<T>(path, { method: 'POST', json: json ?? {} }),
  put: <T>(path: string, json: unknown) => request<T>(path, { method: 'PUT', json }),
  patch: <T>(path: string, json: unknown) => request<T>(path, { method: 'PATCH', json }),
  delete: <T>(path: string) => request<T>(path, { method: 'DELETE' }),
  upload: <T>(path: string, blob: Blob) => request<T>(path, { method: 'POST', blob }),
};

/**
 * Saves bytes the API serves (a PDF) under a file name without their address ever reaching the page: fetched
 * with the session cookie and handed to the browser's download through a short-lived object URL.
 */
export async function downloadBlob(path: string, filename: string, accept: string): Promise<void> {
  const blob = await getBlob(path, undefined, accept);
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  window.setTimeout(() => URL.revokeObjectURL(href), 1000);
}

/** True for the server's 403 saying the patient has not consented to what was asked. */
export function isConsentRequired(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 403 && error.type === 'consent-required';
}

/** True for the error fetch throws when a request was deliberately cancelled. */
export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === 'AbortError';
}
