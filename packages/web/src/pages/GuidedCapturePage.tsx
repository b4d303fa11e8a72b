import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, withQuery } from '../api';
import { firstInstruction, judgeFrame, loadLandmarker, type Landmarker, type LiveVerdict } from '../capture/live-checks';
import { CaptureOutline, type OutlineTone } from '../capture/outline';
import { PhotoProblem } from '../components/ConsentProblem';
import { CheckMark } from '../components/QualityChecks';
import { useResource } from '../hooks';
import { CHECK_LABELS } from '../labels';
import type { Photo, PhotoProtocol, PhotoSession, QualityThresholds, ViewSpec } from '../types';

/** Time between the starts of two live evaluations; one never starts before the last has finished. */
const EVALUATE_EVERY_MS = 200;
/** Consecutive all-passing evaluations before the photo is taken by itself (steadiness, not luck). */
const AUTO_CAPTURE_AFTER = 3;
const JPEG_QUALITY = 0.92;

type Facing = 'environment' | 'user';

type CameraState =
  | { status: 'starting' }
  | { status: 'live'; width: number; height: number }
  | { status: 'error'; message: string };

type GuidanceState = { status: 'loading' } | { status: 'ready'; landmarker: Landmarker } | { status: 'unavailable'; message: string };

export function GuidedCapturePage() {
  const { patientId = '', sessionId = '', viewId = '' } = useParams();
  const photoSession = useResource<PhotoSession>(`/api/photo-sessions/${sessionId}`);
  const protocol = useResource<PhotoProtocol>('/api/photo-protocol');
  const backTo = `/patients/${patientId}/photos/${sessionId}`;

  const error = photoSession.error ?? protocol.error;
  const view = photoSession.data?.views.find((entry) => entry.view.id === viewId)?.view ??
    protocol.data?.views.find((candidate) => candidate.id === viewId);

  if (error || (photoSession.data && protocol.data && !view)) {
    return (
      <main className="page capture-fallback" id="main">
        <h1>Guided capture</h1>
        {error ? <PhotoProblem error={error} patientId={patientId} /> : <p>This session has no such view.</p>}
        <p>
          <Link to={backTo}>Back to the photo session</Link>
        </p>
      </main>
    );
  }
  if (!view || !protocol.data) return <p className="boot muted">Loading guided capture…</p>;
  return (
    <Capture key={view.id} patientId={patientId} sessionId={sessionId} view={view} thresholds={protocol.data.thresholds}
      backTo={backTo} />
  );
}

function cameraProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError') {
    return 'Camera access was refused. Allow the camera for Contour in the browser settings and try again, or go back and upload a photo.';
  }
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No camera was found on this device.';
  if (name === 'NotReadableError') return 'The camera is in use by another app. Close that app and try again.';
  return `The camera could not be started: ${error instanceof Error ? error.message : String(error)}`;
}

function toJpeg(canvas: HTMLCanvasElement): Promise<Blob> {
  return new Promise((resolve, reject) => {
    canvas.toBlob(
      (blob) => (blob ? resolve(blob) : reject(new Error('The camera frame could not be saved as a JPEG.'))),
      'image/jpeg',
      JPEG_QUALITY,
    );
  });
}

function stopStream(stream: MediaStream | null) {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

interface CaptureProps {
  patientId: string;
  sessionId: string;
  view: ViewSpec;
  thresholds: QualityThresholds;
  backTo: string;
}

function Capture({ patientId, sessionId, view, thresholds, backTo }: CaptureProps) {
  const navigate = useNavigate();
  const videoRef = useRef<HTMLVideoElement>(null);
  const streamRef = useRef<MediaStream | null>(null);
  const [facing, setFacing] = useState<Facing>('environment');
  const [camera, setCamera] = useState<CameraState>({ status: 'starting' });
  const [guidance, setGuidance] = useState<GuidanceState>({ status: 'loading' });
  const [verdict, setVerdict] = useState<LiveVerdict | null>(null);
  const [streak, setStreak] = useState(0);
  const [autoCapture, setAutoCapture] = useState(true);
  const [capturing, setCapturing] = useState(false);
  const [uploadError, setUploadError] = useState<unknown>(null);
  // Bumped to start the evaluation loop again after a capture that did not go through.
  const [round, setRound] = useState(0);
  const [guidanceAttempt, setGuidanceAttempt] = useState(0);
  const autoRef = useRef(autoCapture);
  const capturingRef = useRef(false);
  const mountedRef = useRef(true);
  useEffect(() => {
    autoRef.current = autoCapture;
  }, [autoCapture]);
  useEffect(() => {
    mountedRef.current = true;
    return () => {
      mountedRef.current = false;
    };
  }, []);

  // The camera: opened for this page only and stopped whenever the page or the chosen camera changes.
  useEffect(() => {
    const video = videoRef.current;
    let cancelled = false;
    setCamera({ status: 'starting' });
    setVerdict(null);
    if (!navigator.mediaDevices?.getUserMedia) {
      setCamera({ status: 'error', message: 'This browser cannot use the camera here. Open Contour over HTTPS, or upload a photo instead.' });
      return;
    }
    const showSize = () => {
      if (video && video.videoWidth > 0) setCamera({ status: 'live', width: video.videoWidth, height: video.videoHeight });
    };
    navigator.mediaDevices
      .getUserMedia({
        audio: false,
        video: { facingMode: { ideal: facing }, width: { ideal: 1920 }, height: { ideal: 1440 } },
      })
      .then(async (stream) => {
        if (cancelled || !video) return stopStream(stream);
        streamRef.current = stream;
        video.srcObject = stream;
        video.addEventListener('loadedmetadata', showSize);
        // A tablet turned between landscape and portrait swaps the frame's sides.
        video.addEventListener('resize', showSize);
        await video.play().catch(() => undefined);
        showSize();
      })
      .catch((error: unknown) => {
        if (!cancelled) setCamera({ status: 'error', message: cameraProblem(error) });
      });
    return () => {
      cancelled = true;
      video?.removeEventListener('loadedmetadata', showSize);
      video?.removeEventListener('resize', showSize);
      stopStream(streamRef.current);
      streamRef.current = null;
      if (video) video.srcObject = null;
    };
  }, [facing]);

  // Face guidance loads once per visit to the app; capture works without it, by hand.
  useEffect(() => {
    let cancelled = false;
    setGuidance({ status: 'loading' });
    loadLandmarker()
      .then((landmarker) => !cancelled && setGuidance({ status: 'ready', landmarker }))
      .catch((error: unknown) => {
        if (!cancelled) {
          setGuidance({ status: 'unavailable', message: error instanceof Error ? error.message : String(error) });
        }
      });
    return () => {
      cancelled = true;
    };
  }, [guidanceAttempt]);

  const upload = useCallback(
    async (canvas: HTMLCanvasElement) => {
      capturingRef.current = true;
      setCapturing(true);
      setUploadError(null);
      try {
        const jpeg = await toJpeg(canvas);
        await api.upload<Photo>(withQuery(`/api/photo-sessions/${sessionId}/photos`, { view: view.id }), jpeg);
        stopStream(streamRef.current);
        // Someone who left while the photo was saving is not pulled back to the session.
        if (mountedRef.current) navigate(backTo, { state: { captured: view.id } });
      } catch (error) {
        setUploadError(error);
        // A refusal would only be repeated; the photographer decides when to try again.
        setAutoCapture(false);
        capturingRef.current = false;
        setCapturing(false);
        setRound((n) => n + 1);
      }
    },
    [backTo, navigate, sessionId, view.id],
  );

  const live = camera.status === 'live';
  const landmarker = guidance.status === 'ready' ? guidance.landmarker : null;

  // Live checks: draw the frame, judge it, repeat at a modest pace; take the photo once steady.
  useEffect(() => {
    if (!live || !landmarker) return;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) return;
    let stopped = false;
    let timer = 0;
    let passes = 0;
    const tick = async () => {
      const started = performance.now();
      const video = videoRef.current;
      if (video && video.readyState >= 2 && video.videoWidth > 0 && !capturingRef.current) {
        if (canvas.width !== video.videoWidth || canvas.height !== video.videoHeight) {
          canvas.width = video.videoWidth;
          canvas.height = video.videoHeight;
        }
        context.drawImage(video, 0, 0, canvas.width, canvas.height);
        try {
          const judged = await judgeFrame(landmarker, canvas, context, view, thresholds);
          if (stopped) return;
          passes = judged.quality.passed ? passes + 1 : 0;
          setVerdict(judged);
          setStreak(passes);
          if (passes >= AUTO_CAPTURE_AFTER && autoRef.current && !capturingRef.current) {
            // The canvas still holds the frame that passed: that is the photo, at the camera's full size.
            stopped = true;
            void upload(canvas);
            return;
          }
        } catch (error) {
          if (stopped) return;
          setGuidance({ status: 'unavailable', message: error instanceof Error ? error.message : String(error) });
          return;
        }
      }
      if (!stopped) timer = window.setTimeout(() => void tick(), Math.max(0, EVALUATE_EVERY_MS - (performance.now() - started)));
    };
    timer = window.setTimeout(() => void tick(), 0);
    return () => {
      stopped = true;
      window.clearTimeout(timer);
    };
  }, [live, landmarker, view, thresholds, upload, round]);

  const captureNow = () => {
    const video = videoRef.current;
    if (!video || video.videoWidth === 0 || capturingRef.current) return;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')?.drawImage(video, 0, 0, canvas.width, canvas.height);
    void upload(canvas);
  };

  const cameraTooSmall = camera.status === 'live' && Math.min(camera.width, camera.height) < thresholds.minImageSide;
  const instruction = verdict ? firstInstruction(verdict.quality, cameraTooSmall) : null;
  const allPass = verdict?.quality.passed ?? false;
  const tone: OutlineTone = !verdict ? 'idle' : allPass ? 'ready' : 'adjust';
  const headline = capturing
    ? 'Saving the photo…'
    : guidance.status === 'loading'
      ? 'Loading face guidance…'
      : guidance.status === 'unavailable'
        ? 'Live guidance is not available. Frame the patient in the outline and capture by hand.'
        : camera.status !== 'live'
          ? 'Waiting for the camera…'
          : !verdict
            ? 'Looking for the face…'
            : allPass
              ? autoCapture
                ? 'Hold still…'
                : 'Every check passes: capture now.'
              : (instruction?.message ?? '');

  return (
    <main className="capture" id="main" data-testid="guided-capture">
      <header className="capture-bar">
        <Link className="button secondary capture-back" to={backTo}>
          <span aria-hidden="true">←</span> Session
        </Link>
        <h1>{view.label}</h1>
        <button type="button" className="button secondary" aria-label={facing === 'user' ? 'Use back camera' : 'Use front camera'}
          onClick={() => setFacing((f) => (f === 'user' ? 'environment' : 'user'))}>
          <span aria-hidden="true">⇄</span>
          <span className="hide-narrow">{facing === 'user' ? 'Use back camera' : 'Use front camera'}</span>
        </button>
      </header>

      <div className="capture-stage">
        <div className={`capture-picture${facing === 'user' ? ' mirrored' : ''}`}>
          <video ref={videoRef} className="capture-video" playsInline muted autoPlay data-testid="capture-video" />
          {camera.status === 'live' && (
            <CaptureOutline width={camera.width} height={camera.height} view={view} faces={verdict?.faces ?? []} tone={tone} />
          )}
        </div>
        {camera.status === 'error' && (
          <div className="capture-camera-problem" role="alert">
            <p>{camera.message}</p>
            <Link className="button secondary" to={backTo}>
              Back to the session
            </Link>
          </div>
        )}
      </div>

      <aside className="capture-panel" aria-label="Guidance">
        <p className={`capture-instruction ${tone}`} data-testid="capture-instruction" data-check={instruction?.id ?? ''}
          aria-live="polite">
          {headline}
        </p>
        {autoCapture && allPass && !capturing && (
          <p className="capture-progress" data-testid="capture-progress">
            Capturing automatically ({Math.min(streak, AUTO_CAPTURE_AFTER)} of {AUTO_CAPTURE_AFTER})
          </p>
        )}
        {cameraTooSmall && camera.status === 'live' && (
          <p className="notice warn" role="status" data-testid="camera-too-small">
            This camera gives {camera.width}×{camera.height} pixels, below the protocol's {thresholds.minImageSide} px on the
            shorter side, so its photos will fail the resolution check. Use a better camera, or take the photo with the
            camera app and upload it.
          </p>
        )}
        {guidance.status === 'unavailable' && (
          <div className="notice warn" role="status">
            <p>Face guidance stopped ({guidance.message}).</p>
            <button type="button" className="button secondary" onClick={() => setGuidanceAttempt((n) => n + 1)}>
              Try again
            </button>
          </div>
        )}
        <PhotoProblem error={uploadError} patientId={patientId} />

        <div className="capture-controls">
          <button type="button" className="button primary capture-now" disabled={camera.status !== 'live' || capturing}
            onClick={captureNow}>
            {capturing ? 'Saving…' : 'Capture now'}
          </button>
          <label className="checkbox">
            <input type="checkbox" checked={autoCapture} onChange={(event) => setAutoCapture(event.target.checked)} />
            <span>Capture automatically when every check passes</span>
          </label>
        </div>

        {verdict && (
          <ul className="live-checks" aria-label="Checks on the live picture">
            {verdict.quality.checks.map((check) => (
              <li key={check.id} data-testid="live-check" data-check={check.id} data-passed={check.passed}
                data-value={check.value ?? ''} className={check.passed ? 'pass' : 'fail'}>
                <CheckMark passed={check.passed} /> {CHECK_LABELS[check.id]}
              </li>
            ))}
          </ul>
        )}
      </aside>
    </main>
  );
}
