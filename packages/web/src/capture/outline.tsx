import { FACE_OVAL } from '@contour/vision/mesh';
import type { DetectedFace } from '@contour/vision/face-result';
import type { ViewSpec } from '../types';

export type OutlineTone = 'idle' | 'adjust' | 'ready';

interface OutlineProps {
  width: number;
  height: number;
  view: ViewSpec;
  faces: DetectedFace[];
  tone: OutlineTone;
}

/**
 * Where the head should sit for this view, drawn in the camera frame's own pixels (the SVG scales with
 * the video, so the outline stays on the picture in landscape and portrait alike). Frontal views get an
 * upright oval; obliques and profiles a narrower one, set back from the way the nose points so the face
 * itself ends up centred, with a chevron showing which way the patient faces.
 */
export function CaptureOutline({ width, height, view, faces, tone }: OutlineProps) {
  const turn = Math.min(1, Math.abs(view.yaw) / 90);
  // Yaw > 0: the patient turned to their left, so the camera sees the nose point to the image's right.
  const direction = Math.sign(view.yaw);
  const rx = Math.min(0.19 * width, 0.245 * height) * (1 - 0.18 * turn);
  const ry = Math.min(0.19 * width, 0.245 * height) / 0.74;
  const cx = width / 2 - direction * rx * 0.3 * turn;
  const cy = height * 0.48;
  const mask = `M0 0H${width}V${height}H0Z M${cx - rx} ${cy}a${rx} ${ry} 0 1 0 ${2 * rx} 0a${rx} ${ry} 0 1 0 ${-2 * rx} 0Z`;
  const stroke = Math.max(3, width / 320);
  const face = faces.length === 1 ? faces[0] : undefined;
  const facePath = face
    ? FACE_OVAL.map((index, i) => {
        const point = face.landmarks[index];
        return point ? `${i === 0 ? 'M' : 'L'}${point[0].toFixed(1)} ${point[1].toFixed(1)}` : '';
      }).join('') + 'Z'
    : null;
  const noseX = cx + direction * rx * 1.08;
  const chevron = rx * 0.18;

  return (
    <svg className={`capture-outline ${tone}`} viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="xMidYMid meet"
      aria-hidden="true" data-testid="capture-outline">
      <path d={mask} fillRule="evenodd" className="outline-mask" />
      <ellipse cx={cx} cy={cy} rx={rx} ry={ry} className="outline-head" strokeWidth={stroke} />
      {direction === 0 ? (
        <>
          <line x1={cx} y1={cy - ry * 0.92} x2={cx} y2={cy + ry * 0.92} className="outline-guide" strokeWidth={stroke / 2} />
          <line x1={cx - rx * 0.9} y1={cy - ry * 0.12} x2={cx + rx * 0.9} y2={cy - ry * 0.12} className="outline-guide"
            strokeWidth={stroke / 2} />
        </>
      ) : (
        <path
          d={`M${noseX} ${cy - chevron}L${noseX + direction * chevron} ${cy}L${noseX} ${cy + chevron}`}
          className="outline-nose"
          strokeWidth={stroke}
        />
      )}
      {facePath && <path d={facePath} className="outline-face" strokeWidth={stroke / 1.5} />}
    </svg>
  );
}
