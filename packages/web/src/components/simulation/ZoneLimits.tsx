import { useEffect, useState, type FormEvent } from 'react';
import { DEFAULT_MAX_CHANGE } from '@contour/domain/dose-effect';
import { ZONE_LABELS } from '../../labels';
import type { ZoneId, ZoneLimit } from '../../types';

export type ZoneLimits = Partial<Record<ZoneId, ZoneLimit>>;

/** The kinds a clinician sets here: millimetres of shape and 0–4 grade points (the server's bounds). */
const KINDS = [
  { kind: 'mm', unit: 'mm', max: 10, step: 0.1 },
  { kind: 'grade', unit: 'grade points', max: 4, step: 0.1 },
] as const;

type Draft = Record<string, string>;

const draftKey = (zone: ZoneId, kind: string): string => `${zone}.${kind}`;

function toDraft(limits: ZoneLimits): Draft {
  const draft: Draft = {};
  for (const [zone, limit] of Object.entries(limits) as [ZoneId, ZoneLimit | undefined][]) {
    for (const { kind } of KINDS) {
      const value = limit?.[kind];
      if (value !== undefined) draft[draftKey(zone, kind)] = String(value);
    }
  }
  return draft;
}

/** Only set, finite figures, in a stable order (so the same limits always make the same request). */
export function normaliseLimits(limits: ZoneLimits): ZoneLimits {
  const out: ZoneLimits = {};
  for (const zone of (Object.keys(limits) as ZoneId[]).sort()) {
    const limit = limits[zone];
    const clean: ZoneLimit = {};
    for (const kind of ['mm', 'grade', 'ratio'] as const) {
      const value = limit?.[kind];
      if (value !== undefined && Number.isFinite(value)) clean[kind] = value;
    }
    if (Object.keys(clean).length > 0) out[zone] = clean;
  }
  return out;
}

interface ZoneLimitsProps {
  zones: ZoneId[];
  limits: ZoneLimits;
  disabled: boolean;
  onApply(limits: ZoneLimits): void;
}

/**
 * The clinician's maximum change per treated zone, for the simulation only: no figure shown beyond it. Empty
 * fields keep the defaults, shown as placeholders.
 */
export function ZoneLimitsSection({ zones, limits, disabled, onApply }: ZoneLimitsProps) {
  const applied = JSON.stringify(normaliseLimits(limits));
  const [draft, setDraft] = useState<Draft>(() => toDraft(limits));
  const [problem, setProblem] = useState<string | null>(null);

  // Limits restored from an earlier simulation replace what was typed.
  useEffect(() => {
    setDraft(toDraft(JSON.parse(applied) as ZoneLimits));
  }, [applied]);

  const rows = zones.flatMap((zone) =>
    KINDS.filter(({ kind }) => DEFAULT_MAX_CHANGE[zone][kind] !== undefined).map((entry) => ({ zone, ...entry })),
  );
  if (rows.length === 0) return null;

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const next: ZoneLimits = {};
    for (const { zone, kind, max } of rows) {
      const text = (draft[draftKey(zone, kind)] ?? '').trim().replace(',', '.');
      if (text === '') continue;
      const value = Number(text);
      if (!Number.isFinite(value) || value < 0 || value > max) {
        setProblem(`${ZONE_LABELS[zone]}: the maximum in ${kind === 'mm' ? 'mm' : 'grade points'} must be between 0 and ${max}.`);
        return;
      }
      next[zone] = { ...next[zone], [kind]: value };
    }
    setProblem(null);
    onApply(normaliseLimits(next));
  };

  return (
    <details className="sim-limits" data-testid="zone-limits">
      <summary>Maximum change per zone</summary>
      <form onSubmit={apply} aria-label="Maximum change per zone" noValidate>
        <p className="hint">
          The most the simulation may show in each treated zone. Empty fields keep the default, shown in grey. Applies to
          every variant.
        </p>
        <div className="sim-limit-grid">
          {rows.map(({ zone, kind, unit, max, step }) => {
            const id = `limit-${zone}-${kind}`;
            return (
              <div className="field" key={id}>
                <label htmlFor={id}>
                  {ZONE_LABELS[zone]}, at most ({unit})
                </label>
                <input id={id} type="number" inputMode="decimal" min={0} max={max} step={step}
                  placeholder={String(DEFAULT_MAX_CHANGE[zone][kind])} value={draft[draftKey(zone, kind)] ?? ''}
                  onChange={(event) => setDraft((current) => ({ ...current, [draftKey(zone, kind)]: event.target.value }))} />
              </div>
            );
          })}
        </div>
        {problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
        <div className="button-row">
          <button type="submit" className="button secondary small" disabled={disabled}>
            Apply the maxima
          </button>
          <button type="button" className="button secondary small" disabled={disabled || applied === '{}'}
            onClick={() => {
              setDraft({});
              setProblem(null);
              onApply({});
            }}>
            Use the defaults
          </button>
        </div>
      </form>
    </details>
  );
}
