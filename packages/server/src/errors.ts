/**
 * RFC 9457 problem details. Services throw `Problem`; the error handler turns it into
 * application/problem+json. Anything else that escapes is a bug and answers a generic 500.
 */
export interface FieldError {
  path: string;
  message: string;
}

export class Problem extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
  ) {
    super(detail);
    this.name = 'Problem';
  }

  get type(): string {
    return `urn:contour:problem:${this.slug}`;
  }
}

export const badRequest = (detail: string, errors?: FieldError[]): Problem =>
  new Problem(400, 'bad-request', 'Bad request', detail, errors);
export const unauthorized = (detail = 'Sign in to continue.'): Problem =>
  new Problem(401, 'unauthorized', 'Not signed in', detail);
export const forbidden = (detail = 'Your role does not allow this.'): Problem =>
  new Problem(403, 'forbidden', 'Not allowed', detail);
export const notFound = (what: string): Problem => new Problem(404, 'not-found', 'Not found', `${what} was not found.`);
export const conflict = (detail: string): Problem => new Problem(409, 'conflict', 'Conflict', detail);
export const gone = (detail: string): Problem => new Problem(410, 'gone', 'Gone', detail);
export const unsupportedMedia = (detail: string): Problem =>
  new Problem(415, 'unsupported-media-type', 'Unsupported file type', detail);
export const consentMissing = (detail: string): Problem =>
  new Problem(403, 'consent-required', 'Consent required', detail);
export const integrityFailure = (detail: string): Problem =>
  new Problem(409, 'integrity-check-failed', 'Stored data failed its integrity check', detail);
