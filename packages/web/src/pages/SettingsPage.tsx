import { useState, type FormEvent } from 'react';
import { CONSENT_TYPES, CONSENT_TYPE_LABELS, type ConsentType } from '@contour/domain/consent';
import { api } from '../api';
import { CatalogueSection } from '../components/CatalogueSection';
import { Field } from '../components/Field';
import { ProblemMessage, fieldError } from '../components/Problem';
import { formatDate } from '../format';
import { useResource, useSubmission } from '../hooks';
import { useSession } from '../session';
import type { ConsentTemplate, Location } from '../types';

export function SettingsPage() {
  const session = useSession();
  return (
    <div className="page">
      <h1>Settings</h1>
      {session.can('location.read') && <LocationsSection mayAdd={session.can('location.manage')} />}
      {session.can('consentTemplate.manage') && <ConsentTemplatesSection />}
      {session.can('catalogue.read') && <CatalogueSection mayEdit={session.can('catalogue.manage')} />}
    </div>
  );
}

function LocationsSection({ mayAdd }: { mayAdd: boolean }) {
  const locations = useResource<{ items: Location[] }>('/api/locations');
  const submission = useSubmission();
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [timezone, setTimezone] = useState(() => Intl.DateTimeFormat().resolvedOptions().timeZone);
  const error = submission.error;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const done = await submission.run(async () => {
      await api.post<Location>('/api/locations', {
        name: name.trim(),
        ...(address.trim() ? { address: address.trim() } : {}),
        ...(timezone.trim() ? { timezone: timezone.trim() } : {}),
      });
    });
    if (done) {
      setName('');
      setAddress('');
      locations.reload();
    }
  };

  return (
    <section className="card" aria-labelledby="locations-heading">
      <h2 id="locations-heading">Locations</h2>
      <ProblemMessage error={locations.error} />
      {locations.data && (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Address</th>
                <th scope="col" className="hide-narrow">Time zone</th>
              </tr>
            </thead>
            <tbody>
              {locations.data.items.map((location) => (
                <tr key={location.id}>
                  <td>{location.name}</td>
                  <td className="pre">{location.address ?? '—'}</td>
                  <td className="hide-narrow">{location.timezone}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {mayAdd && (
        <form className="inline-form" onSubmit={submit} aria-labelledby="add-location-heading">
          <h3 id="add-location-heading">Add a location</h3>
          <div className="grid">
            <Field label="Location name" error={fieldError(error, 'name')}>
              {(c) => (
                <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required value={name}
                  onChange={(e) => setName(e.target.value)} />
              )}
            </Field>
            <Field label="Time zone" error={fieldError(error, 'timezone')}>
              {(c) => (
                <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} value={timezone}
                  onChange={(e) => setTimezone(e.target.value)} />
              )}
            </Field>
            <Field label="Address" className="span-2" error={fieldError(error, 'address')}>
              {(c) => (
                <textarea id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} rows={2} value={address}
                  onChange={(e) => setAddress(e.target.value)} />
              )}
            </Field>
          </div>
          <ProblemMessage error={error} />
          <div className="button-row">
            <button type="submit" className="button primary" disabled={submission.busy}>
              Add location
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function ConsentTemplatesSection() {
  const templates = useResource<{ items: ConsentTemplate[] }>('/api/consent-templates');
  const [publishing, setPublishing] = useState<{ type: ConsentType; base: ConsentTemplate | undefined } | null>(null);
  const all = templates.data?.items ?? [];

  return (
    <section className="card" aria-labelledby="templates-heading">
      <h2 id="templates-heading">Consent forms</h2>
      <p className="hint">
        Publishing a change creates a new version. Consents already signed keep pointing at the exact text the patient
        read; new signatures use the newest version.
      </p>
      <ProblemMessage error={templates.error} />
      {publishing && (
        <PublishTemplateForm
          type={publishing.type}
          base={publishing.base}
          onDone={(published) => {
            setPublishing(null);
            if (published) templates.reload();
          }}
        />
      )}
      {templates.data && (
        <ul className="template-list">
          {CONSENT_TYPES.map((type) => {
            const versions = all.filter((template) => template.type === type).sort((a, b) => b.version - a.version);
            const current = versions.find((template) => template.current) ?? versions[0];
            return (
              <li key={type} className="template" data-testid={`template-${type}`}>
                <div className="section-header">
                  <h3>{CONSENT_TYPE_LABELS[type]}</h3>
                  {publishing === null && (
                    <button type="button" className="button secondary" onClick={() => setPublishing({ type, base: current })}>
                      Publish new version
                      <span className="visually-hidden"> of {CONSENT_TYPE_LABELS[type]}</span>
                    </button>
                  )}
                </div>
                {versions.length === 0 ? (
                  <p className="muted">No versions yet.</p>
                ) : (
                  versions.map((template) => (
                    <details key={template.id} className="template-version">
                      <summary>
                        Version {template.version}: {template.title}{' '}
                        <span className="muted">({formatDate(template.createdAt)})</span>
                        {template.current && <span className="badge ok">Current</span>}
                      </summary>
                      <p className="pre">{template.body}</p>
                      <p className="muted">
                        {template.validForMonths === null
                          ? 'Valid until withdrawn.'
                          : `Valid for ${template.validForMonths} months.`}
                      </p>
                    </details>
                  ))
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

interface PublishProps {
  type: ConsentType;
  /** The current version, whose text the new one starts from; undefined for a first version. */
  base: ConsentTemplate | undefined;
  onDone(published: boolean): void;
}

function PublishTemplateForm({ type, base, onDone }: PublishProps) {
  const submission = useSubmission();
  const [title, setTitle] = useState(base?.title ?? CONSENT_TYPE_LABELS[type]);
  const [body, setBody] = useState(base?.body ?? '');
  const [validForMonths, setValidForMonths] = useState(
    base?.validForMonths === null || base === undefined ? '' : String(base.validForMonths),
  );
  const nextVersion = (base?.version ?? 0) + 1;
  const error = submission.error;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    await submission.run(async () => {
      await api.post<ConsentTemplate>('/api/consent-templates', {
        type,
        title: title.trim(),
        body: body.trim(),
        validForMonths: validForMonths.trim() === '' ? null : Number(validForMonths),
      });
      onDone(true);
    });
  };

  return (
    <form className="inline-form publish" onSubmit={submit} aria-labelledby="publish-heading">
      <h3 id="publish-heading">
        Version {nextVersion} of “{CONSENT_TYPE_LABELS[type]}”
      </h3>
      <Field label="Title" error={fieldError(error, 'title')}>
        {(c) => (
          <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required value={title}
            onChange={(e) => setTitle(e.target.value)} />
        )}
      </Field>
      <Field label="Text the patient reads and signs" error={fieldError(error, 'body')}>
        {(c) => (
          <textarea id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} required rows={10} value={body}
            onChange={(e) => setBody(e.target.value)} />
        )}
      </Field>
      <Field label="Valid for (months)" hint="Leave empty for a consent that lasts until withdrawn."
        error={fieldError(error, 'validForMonths')}>
        {(c) => (
          <input id={c.id} aria-describedby={c.describedBy} aria-invalid={c.invalid} type="number" min={1} step={1}
            inputMode="numeric" value={validForMonths} onChange={(e) => setValidForMonths(e.target.value)} />
        )}
      </Field>
      <ProblemMessage error={error} />
      <div className="button-row">
        <button type="submit" className="button primary" disabled={submission.busy}>
          Publish version {nextVersion}
        </button>
        <button type="button" className="button secondary" onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
