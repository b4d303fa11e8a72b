import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api } from '../api';
import { PhotoProblem } from '../components/ConsentProblem';
import { ProblemMessage } from '../components/Problem';
import { formatDateTime, formatDegrees, fullName } from '../format';
import { useObjectUrl, useResource, useSubmission } from '../hooks';
import { GRADE_LABELS, SIDE_LABELS, ZONE_EXPLANATIONS, ZONE_LABELS } from '../labels';
import { useSession } from '../session';
import type { FacialAnalysis, Measurement, Patient, ZoneFinding, ZoneGrade } from '../types';

/** Printed on the page and on every exported image: the figures are estimates for a clinician to judge. */
export const AI_LABEL = 'AI estimate — not a diagnosis';

/** A calm, colour-blind-safe ramp from 0 (none) to 4 (very severe). */
export const SEVERITY_COLOURS = ['#d7ebe6', '#a6d3c6', '#e9d58f', '#e2a36f', '#b8646e'] as const;
const OUTLINE = '#1d2433';

const severityStep = (severity: number): 0 | 1 | 2 | 3 | 4 => Math.min(4, Math.max(0, Math.round(severity))) as 0 | 1 | 2 | 3 | 4;
const severityColour = (severity: number): string => SEVERITY_COLOURS[severityStep(severity)];
const zoneKey = (zone: { id?: string; zoneId?: string; side: string }): string => `${zone.id ?? zone.zoneId}:${zone.side}`;

export function AnalysisPage() {
  const { patientId = '', sessionId = '', photoId = '' } = useParams();
  return <AnalysisRecord key={photoId} patientId={patientId} sessionId={sessionId} photoId={photoId} />;
}

function AnalysisRecord({ patientId, sessionId, photoId }: { patientId: string; sessionId: string; photoId: string }) {
  const session = useSession();
  const patient = useResource<Patient>(`/api/patients/${patientId}`);
  const analysis = useResource<FacialAnalysis>(`/api/photos/${photoId}/analysis`);
  const image = useObjectUrl(`/api/photos/${photoId}/image`);
  const [showZones, setShowZones] = useState(true);
  const [showLandmarks, setShowLandmarks] = useState(false);
  const [exportProblem, setExportProblem] = useState<string | null>(null);
  const mayGrade = session.can('analysis.grade');
  const data = analysis.data;
  const back = `/patients/${patientId}/photos/${sessionId}`;

  const breadcrumb = (
    <p className="breadcrumb">
      <Link to={back}>Photo session{patient.data ? ` of ${fullName(patient.data)}` : ''}</Link>
    </p>
  );

  if (analysis.error && !data) {
    return (
      <section className="page">
        {breadcrumb}
        <h1>Facial analysis</h1>
        <PhotoProblem error={analysis.error} patientId={patientId} />
      </section>
    );
  }
  if (!data) return <p className="page muted">Loading the analysis…</p>;

  const saved = (grade: ZoneGrade) => {
    const others = data.grades.filter(
      (item) => !(item.gradedBy === grade.gradedBy && item.zoneId === grade.zoneId && item.side === grade.side),
    );
    analysis.setData({ ...data, grades: [...others, grade] });
  };

  const exportImage = async () => {
    setExportProblem(null);
    if (!image.url) return;
    try {
      const blob = await renderPng(image.url, data, showLandmarks);
      const link = document.createElement('a');
      const href = URL.createObjectURL(blob);
      link.href = href;
      link.download = `facial-analysis-${photoId}.png`;
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(href), 1000);
    } catch (caught) {
      setExportProblem(caught instanceof Error ? caught.message : 'The image could not be made.');
    }
  };

  const findings = [...data.zones].sort((a, b) => (b.severity ?? -1) - (a.severity ?? -1));
  const estimated = findings.filter((zone) => zone.severity !== null);
  const unestimated = findings.filter((zone) => zone.severity === null);
  const finding = (zone: ZoneFinding) => (
    <Finding key={zoneKey(zone)} zone={zone} grades={data.grades} photoId={photoId} mayGrade={mayGrade}
      userId={session.user.id} onSaved={saved} />
  );

  return (
    <div className="page analysis-page">
      {breadcrumb}
      <header className="page-header">
        <div>
          <h1>Facial analysis</h1>
          <p className="muted">
            Frontal photo · {data.width}×{data.height} px
            {data.scale && ` · scale ${data.scale.mmPerPx.toFixed(3)} mm/px ± ${Math.round(data.scale.uncertainty * 100)}%`}
            {data.method && ` · method ${data.method}`}
          </p>
        </div>
        <div className="button-row">
          <button type="button" className="button secondary" disabled={!image.url} onClick={() => void exportImage()}>
            Export as image
          </button>
        </div>
      </header>
      {exportProblem && (
        <p className="field-error" role="alert">
          {exportProblem}
        </p>
      )}
      {!data.methodCurrent && <EarlierMethod photoId={photoId} method={data.method} back={back} patientId={patientId} />}

      <div className="analysis-layout">
        <section className="card analysis-photo-card" aria-label="Photo with the zone map">
          <div className="analysis-toggles">
            <label className="checkbox">
              <input type="checkbox" checked={showZones} onChange={(event) => setShowZones(event.target.checked)} />
              Zones
            </label>
            <label className="checkbox">
              <input type="checkbox" checked={showLandmarks} onChange={(event) => setShowLandmarks(event.target.checked)} />
              Landmarks
            </label>
          </div>
          <figure className="analysis-figure" data-testid="analysis-figure">
            {image.url ? (
              <img src={image.url} alt="Frontal photo" data-testid="analysis-photo" />
            ) : image.error ? (
              <div className="photo-frame missing">
                <span>Photo not available</span>
              </div>
            ) : (
              <div className="photo-frame">
                <span className="spinner" role="img" aria-label="Loading the photo" />
              </div>
            )}
            {image.url && <Overlay analysis={data} showZones={showZones} showLandmarks={showLandmarks} />}
            <figcaption className="ai-label" data-testid="ai-label">
              {AI_LABEL}
            </figcaption>
          </figure>
          <SeverityLegend />
        </section>

        <section className="card analysis-findings" aria-labelledby="findings-heading">
          <h2 id="findings-heading">Findings</h2>
          <p className="hint">
            Highest first. The AI estimate ranks the photo against 102 reference portraits; a clinician's grade is
            the clinical judgement.
          </p>
          <ul className="finding-list">{estimated.map(finding)}</ul>
          {unestimated.length > 0 && (
            <details className="unestimated" open={mayGrade}>
              <summary>Zones without an AI estimate ({unestimated.length})</summary>
              <ul className="finding-list">{unestimated.map(finding)}</ul>
            </details>
          )}
        </section>
      </div>

      <Measurements analysis={data} />
    </div>
  );
}

/**
 * An analysis an earlier method made: its figures can differ from those of photos analysed since (a change to how
 * an edge is found moves a measurement), so it says so, and whoever may capture photos can have it analysed again.
 */
function EarlierMethod({ photoId, method, back, patientId }: { photoId: string; method: string | null; back: string; patientId: string }) {
  const mayAnalyse = useSession().can('photo.capture');
  const reanalyse = useSubmission();
  const navigate = useNavigate();
  const again = async () => {
    // The photo is queued; its session page shows the analysis running and links here again when it is done.
    const queued = await reanalyse.run(async () => {
      await api.post(`/api/photos/${photoId}/analyse`);
    });
    if (queued) navigate(back);
  };
  return (
    <div className="notice warn" role="status" data-testid="earlier-method">
      <p>
        Made with an earlier analysis method{method ? ` (${method})` : ', before methods were recorded'}. Its figures
        can differ from those of photos analysed since: analyse it again before comparing them.
      </p>
      {mayAnalyse && (
        <button type="button" className="button secondary small" disabled={reanalyse.busy} onClick={() => void again()}>
          Analyse again
        </button>
      )}
      <PhotoProblem error={reanalyse.error} patientId={patientId} />
    </div>
  );
}

interface OverlayProps {
  analysis: FacialAnalysis;
  showZones: boolean;
  showLandmarks: boolean;
}

/**
 * Drawn in the stored image's own pixels, so it scales with the photo and fits any orientation; the default
 * "xMidYMid meet" places the viewBox exactly as the image's `object-fit: contain` places the picture.
 */
function Overlay({ analysis, showZones, showLandmarks }: OverlayProps) {
  const dot = Math.max(analysis.width, analysis.height) / 500;
  return (
    <svg className="analysis-overlay" viewBox={`0 0 ${analysis.width} ${analysis.height}`}
      aria-hidden="true" data-testid="analysis-overlay">
      {showZones &&
        analysis.zones.map((zone) => (
          <polygon key={zoneKey(zone)} data-zone={zone.id} data-side={zone.side}
            points={zone.polygon.map(([x, y]) => `${x},${y}`).join(' ')}
            fill={zone.severity === null ? 'none' : severityColour(zone.severity)}
            fillOpacity={0.5} stroke={zone.severity === null ? '#ffffff' : OUTLINE} strokeOpacity={0.8}
            strokeWidth={zone.severity === null ? 1.5 : 1} strokeDasharray={zone.severity === null ? '4 3' : undefined}
            vectorEffect="non-scaling-stroke" />
        ))}
      {showLandmarks && (
        <g fill="#ffffff" stroke="#0f6b66" strokeWidth={0.5} vectorEffect="non-scaling-stroke" data-testid="landmarks">
          {analysis.landmarks.map(([x, y], index) => (
            <circle key={index} cx={x} cy={y} r={dot} />
          ))}
        </g>
      )}
    </svg>
  );
}

function SeverityLegend() {
  return (
    <ul className="severity-legend" aria-label="Colour key: AI severity estimate">
      {GRADE_LABELS.map((label, step) => (
        <li key={label}>
          <span className="swatch" style={{ background: SEVERITY_COLOURS[step] }} aria-hidden="true" />
          {step} {label.toLowerCase()}
        </li>
      ))}
      <li>
        <span className="swatch outline" aria-hidden="true" />
        Outline only: no AI estimate
      </li>
    </ul>
  );
}

interface FindingProps {
  zone: ZoneFinding;
  grades: ZoneGrade[];
  photoId: string;
  mayGrade: boolean;
  userId: string;
  onSaved(grade: ZoneGrade): void;
}

function Finding({ zone, grades, photoId, mayGrade, userId, onSaved }: FindingProps) {
  const own = grades.filter((grade) => grade.zoneId === zone.id && grade.side === zone.side);
  const label = `${ZONE_LABELS[zone.id]}${zone.side === 'centre' ? '' : `, ${SIDE_LABELS[zone.side].toLowerCase()}`}`;
  return (
    <li className="finding" data-testid="finding" data-zone={zone.id} data-side={zone.side}>
      <div className="finding-head">
        <span className="swatch" aria-hidden="true"
          style={zone.severity === null ? undefined : { background: severityColour(zone.severity) }} />
        <h3>{label}</h3>
      </div>
      <p className="finding-explanation">{ZONE_EXPLANATIONS[zone.id]}</p>
      <div className="finding-columns">
        <div>
          <p className="finding-kicker">AI estimate</p>
          {zone.severity === null ? (
            <p className="muted">No estimate: nothing in a photo corresponds to this zone's scale yet.</p>
          ) : (
            <p>
              <strong>{zone.severity.toFixed(1)}</strong> of 4 ({GRADE_LABELS[severityStep(zone.severity)].toLowerCase()})
              <span className="muted"> · confidence {Math.round(zone.confidence * 100)}%</span>
              {zone.scale && <span className="block muted small">{zone.scale}</span>}
            </p>
          )}
        </div>
        <div>
          <p className="finding-kicker">Clinicians</p>
          {own.length === 0 ? (
            <p className="muted">Not graded yet.</p>
          ) : (
            <ul className="grade-list" data-testid="grades">
              {own.map((grade) => (
                <li key={grade.gradedBy}>
                  <strong>{grade.grade}</strong> ({GRADE_LABELS[grade.grade].toLowerCase()}) ·{' '}
                  {grade.modality === 'live' ? 'in person' : 'from the photo'}
                  <span className="block muted small">
                    {grade.gradedByName}, {formatDateTime(grade.gradedAt)}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
      {mayGrade && (
        <GradeForm zone={zone} label={label} photoId={photoId}
          current={own.find((grade) => grade.gradedBy === userId) ?? null} onSaved={onSaved} />
      )}
    </li>
  );
}

interface GradeFormProps {
  zone: ZoneFinding;
  label: string;
  photoId: string;
  current: ZoneGrade | null;
  onSaved(grade: ZoneGrade): void;
}

function GradeForm({ zone, label, photoId, current, onSaved }: GradeFormProps) {
  const [grade, setGrade] = useState<number | null>(current?.grade ?? null);
  const [modality, setModality] = useState<'live' | 'photo'>(current?.modality ?? 'photo');
  const submission = useSubmission();
  const name = `grade-${zone.id}-${zone.side}`;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (grade === null) return;
    await submission.run(async () => {
      onSaved(await api.put<ZoneGrade>(`/api/photos/${photoId}/grades`, { zoneId: zone.id, side: zone.side, grade, modality }));
    });
  };

  return (
    <form className="grade-form" onSubmit={(event) => void submit(event)} aria-label={`Grade ${label}`}>
      <fieldset className="segmented">
        <legend>Your grade</legend>
        {GRADE_LABELS.map((text, step) => (
          <label key={step} title={text}>
            <input type="radio" name={name} value={step} checked={grade === step} onChange={() => setGrade(step)}
              aria-label={`${step} ${text}`} />
            <span>{step}</span>
          </label>
        ))}
      </fieldset>
      <fieldset className="segmented">
        <legend>Graded</legend>
        <label>
          <input type="radio" name={`${name}-modality`} checked={modality === 'photo'} onChange={() => setModality('photo')} />
          <span>From photo</span>
        </label>
        <label>
          <input type="radio" name={`${name}-modality`} checked={modality === 'live'} onChange={() => setModality('live')} />
          <span>In person</span>
        </label>
      </fieldset>
      <button type="submit" className="button primary small" disabled={grade === null || submission.busy}>
        {submission.busy ? 'Saving…' : current ? 'Update grade' : 'Save grade'}
      </button>
      <ProblemMessage error={submission.error} />
    </form>
  );
}

function formatValue(measurement: Measurement): string {
  switch (measurement.unit) {
    case 'mm':
      return `${measurement.value.toFixed(1)} mm${measurement.uncertainty === undefined ? '' : ` ± ${measurement.uncertainty.toFixed(1)} mm`}`;
    case 'deg':
      return formatDegrees(measurement.value);
    case 'ratio':
      return measurement.value.toFixed(2);
  }
}

function formatRange(measurement: Measurement): string {
  const range = measurement.range;
  if (!range) return '—';
  if (measurement.unit === 'deg') return `${formatDegrees(range.low)} to ${formatDegrees(range.high)}`;
  const unit = measurement.unit === 'mm' ? ' mm' : '';
  return `${range.low}–${range.high}${unit}`;
}

function Measurements({ analysis }: { analysis: FacialAnalysis }) {
  const [showMethods, setShowMethods] = useState(false);
  return (
    <section className="card" aria-labelledby="measurements-heading">
      <div className="section-header">
        <h2 id="measurements-heading">Measurements</h2>
        <label className="checkbox">
          <input type="checkbox" checked={showMethods} onChange={(event) => setShowMethods(event.target.checked)} />
          Show how each was measured
        </label>
      </div>
      <p className="hint">
        {analysis.scale
          ? `Millimetres from the ${analysis.scale.method}; ± is that ruler's uncertainty.`
          : 'No millimetre scale for this photo, so only ratios and angles are given.'}{' '}
        Ranges describe measured populations, they are not targets. ≈ marks a figure measured on an edge not clearly
        seen in this photo (the face outline, the lips' borders).
      </p>
      <div className="table-wrap">
        <table className="table measurements" data-testid="measurements">
          <thead>
            <tr>
              <th scope="col">Measurement</th>
              <th scope="col" className="num">Value</th>
              <th scope="col">Side</th>
              <th scope="col">Population range</th>
            </tr>
          </thead>
          <tbody>
            {analysis.measurements.map((measurement) => (
              <tr key={`${measurement.id}:${measurement.side ?? ''}`} data-measurement={measurement.id}>
                <th scope="row">
                  {measurement.label}
                  {measurement.unclearEdge && (
                    <span className="block small unclear-edge" data-testid="unclear-edge">
                      Estimate: {measurement.unclearEdge}.
                    </span>
                  )}
                  {showMethods && <span className="block muted small">{measurement.method}</span>}
                </th>
                <td className="num nowrap">{measurement.unclearEdge ? `≈ ${formatValue(measurement)}` : formatValue(measurement)}</td>
                <td className={measurement.side ? 'side' : 'side empty'}>
                  {measurement.side ? SIDE_LABELS[measurement.side].replace("Patient's ", '') : '—'}
                </td>
                <td className={measurement.range ? 'range' : 'range empty'}>
                  {formatRange(measurement)}
                  {measurement.range && <span className="block muted small">{measurement.range.source}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {analysis.notMeasurable.length > 0 && (
        <>
          <h3>Not measurable from these photos</h3>
          <ul className="not-measurable" data-testid="not-measurable">
            {analysis.notMeasurable.map((item) => (
              <li key={item.id}>
                <strong>{item.label}</strong>: <span className="muted">{item.reason}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error('The photo could not be read.'));
    image.src = url;
  });
}

/** The photo, its zone map and the AI label in one PNG, at the stored image's own size. */
export async function renderPng(imageUrl: string, analysis: FacialAnalysis, landmarks: boolean): Promise<Blob> {
  const image = await loadImage(imageUrl);
  const canvas = document.createElement('canvas');
  canvas.width = analysis.width;
  canvas.height = analysis.height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('This browser cannot draw images.');
  context.drawImage(image, 0, 0, analysis.width, analysis.height);
  const line = Math.max(1.5, analysis.width / 600);
  for (const zone of analysis.zones) {
    if (zone.polygon.length < 3) continue;
    context.beginPath();
    zone.polygon.forEach(([x, y], index) => (index === 0 ? context.moveTo(x, y) : context.lineTo(x, y)));
    context.closePath();
    context.lineWidth = line;
    if (zone.severity === null) {
      context.setLineDash([line * 3, line * 2]);
      context.strokeStyle = 'rgba(255,255,255,0.85)';
    } else {
      context.setLineDash([]);
      context.globalAlpha = 0.5;
      context.fillStyle = severityColour(zone.severity);
      context.fill();
      context.globalAlpha = 1;
      context.strokeStyle = 'rgba(29,36,51,0.8)';
    }
    context.stroke();
  }
  context.setLineDash([]);
  if (landmarks) {
    const r = Math.max(analysis.width, analysis.height) / 500;
    context.fillStyle = '#ffffff';
    for (const [x, y] of analysis.landmarks) {
      context.beginPath();
      context.arc(x, y, r, 0, Math.PI * 2);
      context.fill();
    }
  }
  // The label on a band, large enough to read when the image is shared on its own.
  const size = Math.max(14, Math.round(analysis.width / 32));
  context.font = `600 ${size}px system-ui, sans-serif`;
  const pad = size * 0.6;
  const width = context.measureText(AI_LABEL).width + pad * 2;
  context.fillStyle = 'rgba(29,36,51,0.85)';
  context.fillRect(0, analysis.height - size - pad * 2, width, size + pad * 2);
  context.fillStyle = '#ffffff';
  context.textBaseline = 'middle';
  context.fillText(AI_LABEL, pad, analysis.height - pad - size / 2);
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('The image could not be made.'))), 'image/png'),
  );
}
