import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Link, useParams, useSearchParams } from 'react-router-dom';
import { ApiError, api, downloadBlob, getBlob, isAbort, isConsentRequired, withQuery } from '../api';
import { PhotoProblem } from '../components/ConsentProblem';
import { whereText } from '../components/planning/plan-helpers';
import { ProblemMessage } from '../components/Problem';
import { Comparison, type CompareMode } from '../components/simulation/Comparison';
import {
  SIMULATION_LABEL,
  VARIANT_HINTS,
  VARIANT_LABELS,
  changeAmount,
  changeKey,
  changeWhat,
  renderedNote,
} from '../components/simulation/change-text';
import { ZoneLimitsSection, normaliseLimits, type ZoneLimits } from '../components/simulation/ZoneLimits';
import { formatDate, formatDose, fullName } from '../format';
import { useResource, useSubmission } from '../hooks';
import { useSession } from '../session';
import type { ConsentStatus, DoseUnit, Patient, Photo, PlanVersionView, PlanView, Side, Simulation, SimulationVariant, ZoneId } from '../types';

const VARIANTS: SimulationVariant[] = ['conservative', 'expected', 'upper'];
/** A keyboard user stepping the intensity slider gets one render once they stop, not one per key. */
const INTENSITY_SETTLE_MS = 350;

/** A plan item the simulation can show: the version's final items and, on a draft, undecided suggestions. */
interface SimulatableItem {
  key: string;
  zoneId: ZoneId;
  side: Side;
  productLabel: string;
  amount: number;
  unit: DoseUnit;
  /** A suggestion without a decision yet (drafts), shown at its planned amount. */
  undecided: boolean;
}

/** The same choice of items the server makes (data/simulations.ts). */
function simulatableItems(version: PlanVersionView): SimulatableItem[] {
  const final = version.final.map((item) => ({ ...item, undecided: false }));
  if (version.status === 'signed') return final;
  const decided = new Set(version.records.map((record) => record.itemKey));
  const pending = version.suggested.items
    .filter((item) => !decided.has(item.key))
    .map((item) => ({ ...item, amount: item.plannedAmount, unit: item.dose.unit, undecided: true }));
  return [...final, ...pending];
}

interface Settings {
  /** Null until the clinician first chooses a variant: nothing is rendered (and stored) before that. */
  variant: SimulationVariant | null;
  intensity: number;
  /** One item's key, or null for the whole plan. */
  itemKey: string | null;
  limits: ZoneLimits;
}

const requestKey = (settings: Settings): string | null =>
  settings.variant === null
    ? null
    : JSON.stringify([settings.variant, Math.round(settings.intensity * 100), settings.itemKey ?? '*', normaliseLimits(settings.limits)]);

/** The settings an earlier simulation was made with, when this page can show them (the whole plan or one item). */
function settingsOf(simulation: Simulation, items: SimulatableItem[]): Settings | null {
  const keys = new Set(items.map((item) => item.key));
  const whole = simulation.itemKeys.length === keys.size && simulation.itemKeys.every((key) => keys.has(key));
  const single = simulation.itemKeys.length === 1 && keys.has(simulation.itemKeys[0] ?? '') ? (simulation.itemKeys[0] ?? null) : null;
  if (!whole && single === null) return null;
  return {
    variant: simulation.variant,
    intensity: simulation.intensity,
    itemKey: whole ? null : single,
    limits: normaliseLimits(simulation.parameters.maxChangePerZone ?? {}),
  };
}

const percent = (intensity: number): string => `${Math.round(intensity * 100)} %`;

export function SimulationPage() {
  const { patientId = '', planId = '' } = useParams();
  const [search] = useSearchParams();
  const asked = Number(search.get('version'));
  const version = Number.isInteger(asked) && asked > 0 ? asked : undefined;
  return <SimulationRecord key={`${planId}:${version ?? ''}`} patientId={patientId} planId={planId} version={version} />;
}

interface RecordProps {
  patientId: string;
  planId: string;
  /** Undefined: the latest version. */
  version: number | undefined;
}

function SimulationRecord({ patientId, planId, version }: RecordProps) {
  const session = useSession();
  const plan = useResource<PlanView>(withQuery(`/api/plans/${planId}`, { version }));
  const patient = useResource<Patient>(`/api/patients/${patientId}`);
  const consents = useResource<{ status: ConsentStatus[] }>(session.can('consent.read') ? `/api/patients/${patientId}/consents` : null);
  const earlier = useResource<{ items: Simulation[] }>(`/api/patients/${patientId}/simulations`);
  const data = plan.data;
  const photoId = data?.consultation.photoId ?? null;

  const breadcrumb = (
    <p className="breadcrumb">
      <Link to={withQuery(`/patients/${patientId}/plans/${planId}`, { version })}>
        Treatment plan{patient.data ? ` of ${fullName(patient.data)}` : ''}
      </Link>
    </p>
  );

  // The server refuses without the patient's simulation consent; when the consents are readable, say so at once.
  const status = consents.data?.status.find((entry) => entry.purpose === 'simulate_outcome');
  const consentsSettled = !session.can('consent.read') || consents.data !== null || consents.error !== null;
  const missingConsent = useMemo(
    () =>
      status && !status.allowed
        ? new ApiError(403, 'Consent required', status.reason ?? 'The patient has not consented to outcome simulation.', [], 'consent-required')
        : null,
    [status],
  );

  if (plan.error && !data) {
    return (
      <section className="page">
        {breadcrumb}
        <h1>Outcome simulation</h1>
        <ProblemMessage error={plan.error} />
      </section>
    );
  }
  if (!data || !consentsSettled) return <p className="page muted">Loading the plan…</p>;

  if (missingConsent || !photoId) {
    return (
      <section className="page simulation-page">
        {breadcrumb}
        <PageHeader plan={data} />
        {missingConsent ? (
          <PhotoProblem error={missingConsent} patientId={patientId} />
        ) : (
          <p className="notice" data-testid="no-photo">
            This consultation was planned without a frontal photo, so there is nothing to simulate on. Start a new
            consultation from an analysed frontal photo to see a projection.
          </p>
        )}
      </section>
    );
  }

  return (
    <Simulator patientId={patientId} plan={data} photoId={photoId} breadcrumb={breadcrumb} earlier={earlier.data?.items ?? null} />
  );
}

interface SimulatorProps {
  patientId: string;
  plan: PlanView;
  photoId: string;
  breadcrumb: ReactNode;
  /** The patient's simulations (newest first), or null while they load. */
  earlier: Simulation[] | null;
}

function Simulator({ patientId, plan, photoId, breadcrumb, earlier }: SimulatorProps) {
  const session = useSession();
  const mayCreate = session.can('simulation.create');
  const items = useMemo(() => simulatableItems(plan.current), [plan]);
  const zones = useMemo(() => [...new Set(items.map((item) => item.zoneId))], [items]);
  const photo = useResource<Photo>(`/api/photos/${photoId}`);
  const before = useImage(`/api/photos/${photoId}/image`);
  const download = useSubmission();

  const [settings, setSettings] = useState<Settings>({ variant: null, intensity: 1, itemKey: null, limits: {} });
  const [intensityDraft, setIntensityDraft] = useState(1);
  const [mode, setMode] = useState<CompareMode>('divider');
  const [position, setPosition] = useState(50);
  const [attempt, setAttempt] = useState(0);

  // Renders already made on this page, and those on their way, by request: switching back costs nothing.
  const results = useRef(new Map<string, Simulation>());
  const pending = useRef(new Map<string, Promise<Simulation>>());
  const [shown, setShown] = useState<Simulation | null>(null);
  const [settled, setSettled] = useState<{ key: string; error: unknown } | null>(null);

  const key = requestKey(settings);
  const rendering = key !== null && settled?.key !== key;

  // Opening the page again shows the plan's latest simulation rather than making a new one.
  const restored = useRef(false);
  useEffect(() => {
    if (restored.current || earlier === null) return;
    restored.current = true;
    const latest = earlier.find((item) => item.planId === plan.id && item.planVersion === plan.current.version);
    const found = latest ? settingsOf(latest, items) : null;
    const foundKey = found ? requestKey(found) : null;
    if (!latest || !found || foundKey === null || settings.variant !== null) return;
    results.current.set(foundKey, latest);
    setSettings(found);
    setIntensityDraft(found.intensity);
  }, [earlier, items, plan, settings.variant]);

  useEffect(() => {
    if (key === null || settings.variant === null) return;
    let current = true;
    const done = results.current.get(key);
    if (done) {
      setShown(done);
      setSettled({ key, error: null });
      return;
    }
    let request = pending.current.get(key);
    if (!request) {
      const body = {
        planId: plan.id,
        version: plan.current.version,
        variant: settings.variant,
        intensity: Math.round(settings.intensity * 100) / 100,
        ...(settings.itemKey ? { itemKeys: [settings.itemKey] } : {}),
        ...(Object.keys(settings.limits).length > 0 ? { maxChangePerZone: normaliseLimits(settings.limits) } : {}),
      };
      request = api.post<Simulation>(`/api/photos/${photoId}/simulations`, body).then((made) => {
        results.current.set(key, made);
        return made;
      });
      const forget = () => pending.current.delete(key);
      request.then(forget, forget);
      pending.current.set(key, request);
    }
    request.then(
      (made) => {
        if (!current) return;
        setShown(made);
        setSettled({ key, error: null });
      },
      (error: unknown) => {
        if (current) setSettled({ key, error });
      },
    );
    return () => {
      current = false;
    };
    // The request is fully described by its key (and a retry's attempt).
  }, [key, attempt]);

  const renderError = settled && settled.key === key ? settled.error : null;
  const after = useSimulationImage(isConsentRequired(renderError) ? null : shown);
  const blocked = [renderError, after.error].find(isConsentRequired) ?? null;

  const change = (next: Partial<Settings>) => {
    const merged = { ...settings, ...next };
    if (requestKey(merged) === key && renderError) setAttempt((n) => n + 1);
    setSettings(merged);
  };

  // The intensity renders when the slider is let go (its change event), or once keys stop.
  const slider = useRef<HTMLInputElement>(null);
  const commitIntensity = useRef<(value: number) => void>(() => undefined);
  commitIntensity.current = (value: number) => {
    if (Math.round(value * 100) !== Math.round(settings.intensity * 100)) change({ intensity: value });
  };
  useEffect(() => {
    const input = slider.current;
    if (!input) return;
    let timer: number | undefined;
    const settle = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => commitIntensity.current(Number(input.value)), INTENSITY_SETTLE_MS);
    };
    input.addEventListener('change', settle);
    return () => {
      input.removeEventListener('change', settle);
      window.clearTimeout(timer);
    };
  }, [blocked]);

  if (blocked) {
    return (
      <section className="page simulation-page">
        {breadcrumb}
        <PageHeader plan={plan} />
        <PhotoProblem error={blocked} patientId={patientId} />
      </section>
    );
  }

  const displayed = after.simulation;
  const naturalShare = before.natural && displayed ? (displayed.width * before.natural.height) / before.natural.width / displayed.height : null;
  const recordShare = photo.data && displayed ? (displayed.width * photo.data.height) / photo.data.width / displayed.height : null;
  const photoShare = Math.min(1, naturalShare ?? recordShare ?? 1);
  const itemLabel = (item: SimulatableItem) => `${whereText(item.zoneId, item.side)} · ${item.productLabel} ${formatDose(item.amount, item.unit)}`;
  const labelOf = (itemKey: string) => {
    const item = items.find((entry) => entry.key === itemKey);
    return item ? itemLabel(item) : itemKey;
  };
  const what = (simulation: Simulation) =>
    simulation.itemKeys.length === 1 && items.length > 1 ? labelOf(simulation.itemKeys[0] ?? '') : 'the whole plan';

  const save = (simulation: Simulation) =>
    download.run(() =>
      downloadBlob(`/api/simulations/${simulation.id}/image`, `simulation-${simulation.variant}-${simulation.id.slice(0, 8)}.jpg`, 'image/jpeg'),
    );

  return (
    <div className="page simulation-page">
      {breadcrumb}
      <PageHeader plan={plan}>
        <button type="button" className="button secondary" disabled={!displayed || download.busy}
          onClick={() => displayed && void save(displayed)}>
          {download.busy ? 'Preparing…' : 'Download labelled image'}
        </button>
      </PageHeader>
      <ProblemMessage error={download.error} />

      <div className="simulation-layout">
        <section className="card sim-image-card" aria-labelledby="sim-image-heading" aria-busy={rendering}>
          <div className="section-header">
            <h2 id="sim-image-heading">Before and after</h2>
            <fieldset className="segmented compact">
              <legend className="visually-hidden">Comparison</legend>
              <label>
                <input type="radio" name="compare-mode" checked={mode === 'divider'} onChange={() => setMode('divider')} />
                <span>Divider</span>
              </label>
              <label>
                <input type="radio" name="compare-mode" checked={mode === 'side-by-side'} onChange={() => setMode('side-by-side')} />
                <span>Side by side</span>
              </label>
            </fieldset>
          </div>
          <figure className="sim-figure" data-testid="simulation-figure">
            <div className="sim-stage">
              {displayed && after.url ? (
                <Comparison simulation={displayed} afterUrl={after.url} beforeUrl={before.url} photoShare={photoShare} mode={mode}
                  position={position} onPosition={setPosition} />
              ) : before.url ? (
                <div className="sim-frame before-only" data-testid="before-only"
                  style={photo.data ? { aspectRatio: `${photo.data.width} / ${photo.data.height}`, maxWidth: `calc(56vh * ${(photo.data.width / photo.data.height).toFixed(4)})` } : undefined}>
                  <img src={before.url} alt="The consultation photo (before)" />
                </div>
              ) : before.error ? (
                <div className="photo-frame missing">
                  <span>Photo not available</span>
                </div>
              ) : (
                <div className="photo-frame">
                  <span className="spinner" role="img" aria-label="Loading the photo" />
                </div>
              )}
              {(rendering || (displayed !== null && after.loading)) && (
                <div className="sim-busy" role="status" data-testid="sim-busy">
                  <span className="spinner" aria-hidden="true" />
                  Rendering the projection…
                </div>
              )}
            </div>
            {displayed && after.url ? (
              <figcaption className="projection-label" data-testid="simulation-label">
                <strong>{displayed.label || SIMULATION_LABEL}</strong>
                <span>
                  {VARIANT_LABELS[displayed.variant]} variant · {percent(displayed.intensity)} intensity · {what(displayed)}
                </span>
              </figcaption>
            ) : (
              <figcaption className="muted sim-prompt">
                {mayCreate
                  ? 'The consultation photo. Choose a variant to render the plan on it.'
                  : 'The consultation photo. Your role may view simulations but not make them.'}
              </figcaption>
            )}
          </figure>
          {after.error !== null && <ProblemMessage error={after.error} />}
        </section>

        <div className="sim-side">
          <section className="card sim-controls" aria-labelledby="sim-controls-heading">
            <h2 id="sim-controls-heading">Projection</h2>
            <div className="variant-buttons" role="group" aria-label="Variant">
              {VARIANTS.map((variant) => (
                <button key={variant} type="button" className={`button ${settings.variant === variant ? 'primary' : 'secondary'}`}
                  aria-pressed={settings.variant === variant} disabled={!mayCreate || items.length === 0}
                  title={VARIANT_HINTS[variant]} onClick={() => change({ variant })}>
                  {VARIANT_LABELS[variant]}
                </button>
              ))}
            </div>
            <p className="hint">
              Conservative, expected and upper span the range the published figures give for these doses, at the review
              2–4 weeks after treatment.
            </p>

            <div className="field sim-intensity">
              <label htmlFor="sim-intensity">
                Intensity <span className="muted">{percent(intensityDraft)}</span>
              </label>
              <input ref={slider} id="sim-intensity" type="range" min={0.1} max={1} step={0.05} value={intensityDraft}
                disabled={!mayCreate} aria-valuetext={percent(intensityDraft)} aria-describedby="sim-intensity-hint"
                onChange={(event) => setIntensityDraft(Number(event.target.value))} />
              <p className="hint" id="sim-intensity-hint">
                Scales every amount in the plan; the projection renders when you let go.
              </p>
            </div>

            <fieldset className="sim-items">
              <legend>Show</legend>
              <label className="checkbox">
                <input type="radio" name="sim-items" value="" checked={settings.itemKey === null} disabled={!mayCreate}
                  onChange={() => change({ itemKey: null })} />
                Whole plan ({items.length} {items.length === 1 ? 'item' : 'items'})
              </label>
              {items.length > 1 &&
                items.map((item) => (
                  <label className="checkbox" key={item.key}>
                    <input type="radio" name="sim-items" value={item.key} checked={settings.itemKey === item.key} disabled={!mayCreate}
                      onChange={() => change({ itemKey: item.key })} />
                    <span>
                      {itemLabel(item)}
                      {item.undecided && <span className="badge subtle">not decided yet</span>}
                    </span>
                  </label>
                ))}
              {items.length === 0 && <p className="muted">This version has no items to simulate.</p>}
            </fieldset>

            {mayCreate && (
              <ZoneLimitsSection zones={zones} limits={settings.limits} disabled={items.length === 0}
                onApply={(limits) => change({ limits })} />
            )}
            {renderError !== null && <PhotoProblem error={renderError} patientId={patientId} />}
          </section>

          {shown && <IntendedChanges simulation={shown} labelOf={labelOf} what={what(shown)} />}
        </div>
      </div>
    </div>
  );
}

function PageHeader({ plan, children }: { plan: PlanView; children?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>Outcome simulation</h1>
        <p className="muted">
          Treatment plan version {plan.current.version} · consultation of {formatDate(plan.consultation.createdAt)}
        </p>
      </div>
      {children && <div className="button-row">{children}</div>}
    </header>
  );
}

function IntendedChanges({ simulation, labelOf, what }: { simulation: Simulation; labelOf(key: string): string; what: string }) {
  return (
    <section className="card" aria-labelledby="changes-heading" data-testid="intended-changes" data-variant={simulation.variant}
      data-simulation-id={simulation.id}>
      <h2 id="changes-heading">Intended changes</h2>
      <p className="muted">
        {VARIANT_LABELS[simulation.variant]} variant ({VARIANT_HINTS[simulation.variant]}) · {percent(simulation.intensity)} intensity · {what}
      </p>
      {simulation.changes.length === 0 ? (
        <p>Nothing in this selection changes what a frontal photo shows.</p>
      ) : (
        <ul className="change-list">
          {simulation.changes.map((change) => {
            const drawn = renderedNote(change, simulation.rendered);
            return (
              <li key={changeKey(change)} data-testid="intended-change" data-key={changeKey(change)} data-zone={change.zoneId}
                data-amount={change.amount}>
                <p>
                  <strong>{changeAmount(change.kind, change.amount)}</strong> {changeWhat(change)}
                </p>
                {change.clampedBy === 'clinician-max' && change.unclampedAmount !== undefined && (
                  <p className="small muted">
                    Held at the zone's maximum; the published figures give {changeAmount(change.kind, change.unclampedAmount)}.
                  </p>
                )}
                {drawn?.short && <p className="small muted">{drawn.short}</p>}
                <details className="explanation-details small">
                  <summary>How this figure was estimated</summary>
                  <p>{change.prior}</p>
                  {drawn?.detail && <p>{drawn.detail}</p>}
                </details>
              </li>
            );
          })}
        </ul>
      )}
      {simulation.unsupported.length > 0 && (
        <>
          <h3>Not simulated</h3>
          <ul className="reason-list" data-testid="unsupported">
            {simulation.unsupported.map((item) => (
              <li key={item.itemKey}>
                <strong>{labelOf(item.itemKey)}</strong>: {item.reason}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** An API image through an object URL, with the picture's own size once decoded. */
function useImage(path: string) {
  const [state, setState] = useState<{ url: string | null; natural: { width: number; height: number } | null; error: unknown }>({
    url: null,
    natural: null,
    error: null,
  });
  useEffect(() => {
    const controller = new AbortController();
    let created: string | null = null;
    getBlob(path, controller.signal)
      .then((blob) => {
        if (controller.signal.aborted) return;
        const url = URL.createObjectURL(blob);
        created = url;
        setState({ url, natural: null, error: null });
        const probe = new Image();
        probe.onload = () => {
          if (!controller.signal.aborted && probe.naturalWidth > 0) {
            setState({ url, natural: { width: probe.naturalWidth, height: probe.naturalHeight }, error: null });
          }
        };
        probe.src = url;
      })
      .catch((caught: unknown) => {
        if (!isAbort(caught)) setState({ url: null, natural: null, error: caught });
      });
    return () => {
      controller.abort();
      if (created) URL.revokeObjectURL(created);
    };
  }, [path]);
  return state;
}

/**
 * The labelled image of a simulation. The previous image stays on screen while the next one loads (the page
 * shows it is rendering), so switching variants does not flash an empty frame.
 */
function useSimulationImage(simulation: Simulation | null) {
  const [state, setState] = useState<{ simulation: Simulation; url: string | null; error: unknown } | null>(null);
  const latest = useRef<string | null>(null);
  const id = simulation?.id ?? null;

  useEffect(() => {
    if (!simulation) return;
    const controller = new AbortController();
    getBlob(`/api/simulations/${simulation.id}/image`, controller.signal, 'image/jpeg')
      .then((blob) => {
        if (controller.signal.aborted) return;
        const url = URL.createObjectURL(blob);
        const previous = latest.current;
        latest.current = url;
        setState({ simulation, url, error: null });
        if (previous) window.setTimeout(() => URL.revokeObjectURL(previous), 1000);
      })
      .catch((caught: unknown) => {
        if (!isAbort(caught) && !controller.signal.aborted) setState({ simulation, url: null, error: caught });
      });
    return () => controller.abort();
    // The image is fully described by the simulation's id.
  }, [id]);

  useEffect(
    () => () => {
      if (latest.current) URL.revokeObjectURL(latest.current);
    },
    [],
  );

  if (!simulation) return { simulation: null, url: null, error: null, loading: false };
  const current = state?.simulation.id === id;
  return {
    simulation: state?.url ? state.simulation : null,
    url: state?.url ?? null,
    error: current ? (state?.error ?? null) : null,
    loading: !current,
  };
}
