import { ApiError } from '../api';

/** Problem paths arrive as JSON pointers ("/owner/email") or dotted names; compare them as dotted names. */
function normalisePath(path: string): string {
  return path
    .replace(/^#/, '')
    .split(/[/.]/)
    .filter((part) => part !== '' && part !== 'body')
    .join('.');
}

/** The server's message for one field of a form, if it sent one. */
export function fieldError(error: unknown, name: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.errors.find((item) => normalisePath(item.path) === name)?.message;
}

/** The server's problem (title, detail and every field error) shown beside the form that caused it. */
export function ProblemMessage({ error }: { error: unknown }) {
  if (!error) return null;
  if (!(error instanceof ApiError)) {
    return (
      <div className="problem" role="alert">
        <p className="problem-title">Something went wrong</p>
        <p>{error instanceof Error ? error.message : String(error)}</p>
      </div>
    );
  }
  const detail = error.detail && error.detail !== error.title ? error.detail : null;
  return (
    <div className="problem" role="alert" data-testid="problem">
      <p className="problem-title">{error.title}</p>
      {detail && <p>{detail}</p>}
      {error.errors.length > 0 && (
        <ul>
          {error.errors.map((item, index) => (
            <li key={`${item.path}-${index}`}>
              {item.path && <span className="problem-path">{normalisePath(item.path)}: </span>}
              {item.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
