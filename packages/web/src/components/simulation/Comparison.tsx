import { useRef, type PointerEvent } from 'react';
import { VARIANT_LABELS } from './change-text';
import type { Simulation } from '../../types';

export type CompareMode = 'divider' | 'side-by-side';

interface ComparisonProps {
  simulation: Simulation;
  afterUrl: string;
  beforeUrl: string | null;
  /** The photo's share of the simulated image's height: the label band below it is the rest. */
  photoShare: number;
  mode: CompareMode;
  /** 0–100: how much of the width shows the photo before. */
  position: number;
  onPosition(position: number): void;
}

const clamp = (value: number): number => Math.min(100, Math.max(0, Math.round(value)));

/**
 * The consultation photo beside the simulated projection. The simulated image is the photo with a label band
 * below it, so the photo before is drawn over the top `photoShare` of the same box: both at the same size and in
 * the same place, and the band (with its label) always shows.
 */
export function Comparison({ simulation, afterUrl, beforeUrl, photoShare, mode, position, onPosition }: ComparisonProps) {
  const frame = useRef<HTMLDivElement>(null);
  const shape = {
    aspectRatio: `${simulation.width} / ${simulation.height}`,
    maxWidth: `calc(56vh * ${(simulation.width / simulation.height).toFixed(4)})`,
  };
  const photoHeight = `${(photoShare * 100).toFixed(3)}%`;
  const afterAlt = `After: simulated projection, ${VARIANT_LABELS[simulation.variant].toLowerCase()} variant`;

  if (mode === 'side-by-side') {
    return (
      <div className="sim-side-by-side" data-testid="side-by-side">
        <figure className="sim-pane">
          <div className="sim-frame" style={shape}>
            {beforeUrl && (
              <img className="sim-before" src={beforeUrl} alt="Before: the consultation photo" style={{ height: photoHeight }}
                data-testid="before-image" draggable={false} />
            )}
          </div>
          <figcaption>Before</figcaption>
        </figure>
        <figure className="sim-pane">
          <div className="sim-frame" style={shape}>
            <img className="sim-after" src={afterUrl} alt={afterAlt} data-testid="simulation-image" data-simulation-id={simulation.id}
              draggable={false} />
          </div>
          <figcaption>After (projection)</figcaption>
        </figure>
      </div>
    );
  }

  const moveTo = (event: PointerEvent<HTMLDivElement>) => {
    const box = frame.current?.getBoundingClientRect();
    if (!box || box.width === 0) return;
    onPosition(clamp(((event.clientX - box.left) / box.width) * 100));
  };

  return (
    <div className="sim-divider-view">
      <div ref={frame} className="sim-frame draggable" style={shape} data-testid="sim-compare"
        onPointerDown={(event) => {
          if (event.button !== 0) return;
          event.currentTarget.setPointerCapture(event.pointerId);
          moveTo(event);
        }}
        onPointerMove={(event) => {
          if (event.currentTarget.hasPointerCapture(event.pointerId)) moveTo(event);
        }}>
        <img className="sim-after" src={afterUrl} alt={afterAlt} data-testid="simulation-image" data-simulation-id={simulation.id}
          draggable={false} />
        {beforeUrl && (
          <img className="sim-before" src={beforeUrl} alt="Before: the consultation photo" data-testid="before-image" draggable={false}
            style={{ height: photoHeight, clipPath: `inset(0 ${100 - position}% 0 0)` }} />
        )}
        <div className="sim-divider" style={{ left: `${position}%`, height: photoHeight }} data-testid="sim-divider"
          data-position={position} aria-hidden="true">
          <span className="sim-divider-handle" />
        </div>
        <span className="sim-tag before" aria-hidden="true">Before</span>
        <span className="sim-tag after" aria-hidden="true">After</span>
      </div>
      <label className="sim-range">
        <span>Before and after divider</span>
        <input type="range" min={0} max={100} step={1} value={position} onChange={(event) => onPosition(clamp(Number(event.target.value)))}
          aria-valuetext={`${position} % before, ${100 - position} % after`} />
      </label>
    </div>
  );
}
