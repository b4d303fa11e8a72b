import { useRef, useState, type FormEvent } from 'react';
import { api } from '../api';
import { formatBytes, formatDateTime } from '../format';
import { useResource, useSubmission } from '../hooks';
import { useSession } from '../session';
import type { PatientFile } from '../types';
import { Field } from './Field';
import { ProblemMessage } from './Problem';

const ACCEPTED = ['image/jpeg', 'image/png', 'application/pdf'];
const MAX_BYTES = 25 * 1024 * 1024;

const KIND_LABELS: Record<string, string> = { document: 'Document', photo: 'Photo', 'consent-signature': 'Consent signature' };
const EXTENSIONS: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'application/pdf': 'pdf' };

export function FilesPanel({ patientId }: { patientId: string }) {
  const session = useSession();
  const files = useResource<{ items: PatientFile[] }>(`/api/patients/${patientId}/files`);
  const upload = useSubmission();
  const input = useRef<HTMLInputElement>(null);
  const [chosen, setChosen] = useState<File | null>(null);
  const [localProblem, setLocalProblem] = useState<string | null>(null);

  const choose = (file: File | null) => {
    setChosen(file);
    upload.clear();
    if (file && !ACCEPTED.includes(file.type)) setLocalProblem('Choose a PDF, JPEG or PNG file.');
    else if (file && file.size > MAX_BYTES) setLocalProblem('Files can be at most 25 MB.');
    else setLocalProblem(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen || localProblem) return;
    const done = await upload.run(async () => {
      await api.upload<PatientFile>(`/api/patients/${patientId}/files?kind=document`, chosen);
    });
    if (done) {
      setChosen(null);
      if (input.current) input.current.value = '';
      files.reload();
    }
  };

  const items = [...(files.data?.items ?? [])].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <section className="card" aria-labelledby="files-heading" data-testid="files-panel">
      <h2 id="files-heading">Files</h2>
      <p className="hint">Files are stored encrypted and every download is recorded in the audit trail.</p>
      <ProblemMessage error={files.error} />
      {files.data &&
        (items.length === 0 ? (
          <p className="muted">No files yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col">
                    <span className="visually-hidden">Download</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((file) => (
                  <tr key={file.id}>
                    <td>
                      {KIND_LABELS[file.kind] ?? file.kind}{' '}
                      <span className="muted">({EXTENSIONS[file.contentType] ?? file.contentType})</span>
                      <span className="muted block">
                        Added {formatDateTime(file.createdAt)} · {formatBytes(file.byteSize)}
                      </span>
                    </td>
                    <td className="cell-action">
                      <a className="button secondary small" href={`/api/patients/${patientId}/files/${file.id}/content`}
                        download={`${file.kind}-${file.createdAt.slice(0, 10)}.${EXTENSIONS[file.contentType] ?? 'bin'}`}>
                        Download
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {session.can('patientFile.upload') && (
        <form className="inline-form upload" onSubmit={submit}>
          <Field label="Upload a document" hint="PDF, JPEG or PNG, up to 25 MB (referral letters, previous records).">
            {(c) => (
              <input id={c.id} aria-describedby={c.describedBy} ref={input} type="file" accept={ACCEPTED.join(',')}
                onChange={(e) => choose(e.target.files?.[0] ?? null)} />
            )}
          </Field>
          {localProblem && (
            <p className="field-error" role="alert">
              {localProblem}
            </p>
          )}
          <ProblemMessage error={upload.error} />
          <div className="button-row">
            <button type="submit" className="button primary" disabled={!chosen || Boolean(localProblem) || upload.busy}>
              {upload.busy ? 'Uploading…' : 'Upload'}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
