import { useCallback, useEffect, useRef, type PointerEvent } from 'react';

type Point = { x: number; y: number };

interface SignaturePadProps {
  /** Called after every stroke with the signature as a PNG data URL, or null once cleared. */
  onChange(signature: string | null): void;
  label: string;
}

const INK = '#1d2433';

/**
 * A drawn signature. Pointer events cover mouse, finger and stylus alike; strokes are kept as points so
 * the drawing survives a resize (a tablet turned mid-signature) instead of being wiped with the canvas.
 */
export function SignaturePad({ onChange, label }: SignaturePadProps) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const strokes = useRef<Point[][]>([]);
  const drawing = useRef<Point[] | null>(null);

  const redraw = useCallback(() => {
    const canvas = canvasRef.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return;
    const scale = window.devicePixelRatio || 1;
    context.setTransform(scale, 0, 0, scale, 0, 0);
    // A white background, so the stored PNG reads the same on any viewer.
    context.fillStyle = '#ffffff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.strokeStyle = INK;
    context.lineWidth = 2.5;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    for (const stroke of strokes.current) {
      const [first, ...rest] = stroke;
      if (!first) continue;
      context.beginPath();
      context.moveTo(first.x, first.y);
      // A single tap still leaves a dot.
      if (rest.length === 0) context.lineTo(first.x + 0.1, first.y + 0.1);
      for (const point of rest) context.lineTo(point.x, point.y);
      context.stroke();
    }
  }, []);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas) return;
    const fit = () => {
      const scale = window.devicePixelRatio || 1;
      const { width, height } = canvas.getBoundingClientRect();
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      redraw();
    };
    fit();
    const observer = new ResizeObserver(fit);
    observer.observe(canvas);
    return () => observer.disconnect();
  }, [redraw]);

  const pointAt = (event: PointerEvent<HTMLCanvasElement>): Point => {
    const box = event.currentTarget.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  };

  const start = (event: PointerEvent<HTMLCanvasElement>) => {
    if (event.button !== 0) return;
    event.preventDefault();
    event.currentTarget.setPointerCapture(event.pointerId);
    const stroke = [pointAt(event)];
    drawing.current = stroke;
    strokes.current.push(stroke);
    redraw();
  };

  const move = (event: PointerEvent<HTMLCanvasElement>) => {
    const stroke = drawing.current;
    if (!stroke) return;
    const box = event.currentTarget.getBoundingClientRect();
    // Coalesced events keep fast pen strokes smooth instead of jagged.
    const events = event.nativeEvent.getCoalescedEvents?.() ?? [];
    const samples = events.length > 0 ? events : [event.nativeEvent];
    for (const sample of samples) stroke.push({ x: sample.clientX - box.left, y: sample.clientY - box.top });
    redraw();
  };

  const end = () => {
    if (!drawing.current) return;
    drawing.current = null;
    onChange(canvasRef.current?.toDataURL('image/png') ?? null);
  };

  const clear = () => {
    strokes.current = [];
    drawing.current = null;
    redraw();
    onChange(null);
  };

  return (
    <div className="signature">
      <canvas
        ref={canvasRef}
        className="signature-canvas"
        data-testid="signature-pad"
        role="img"
        aria-label={label}
        onPointerDown={start}
        onPointerMove={move}
        onPointerUp={end}
        onPointerCancel={end}
      />
      <div className="signature-actions">
        <span className="hint">Sign above with a finger, stylus or mouse.</span>
        <button type="button" className="button secondary" onClick={clear}>
          Clear signature
        </button>
      </div>
    </div>
  );
}
