/**
 * `contour analyze IMAGE... [--view frontal] [--json]`: the photo protocol's checks on files, offline.
 * With --json it prints one object per image (an array when there are several):
 * { file, width, height, face: { box, landmarks, pose, expression }, quality, and for the frontal view the
 * facial analysis: scale, measurements (with `unclearEdge` on a figure measured on an edge not clearly seen: the
 * face outline's, the lips'), notMeasurable, zones: [{ id, side, polygon, indicators, severity, confidence, scale }] }.
 */
import { readFile } from 'node:fs/promises';
import { DEFAULT_PROTOCOL, severityEstimator } from '@contour/domain';
import { FaceLandmarker, ImageRejected, LandmarkPool, analyzeImage, decodePhoto, facialFindings } from '@contour/vision';
import type { Output } from './commands.js';

export interface AnalyzeOptions {
  files: string[];
  view: string;
  json: boolean;
}

export function parseAnalyzeArgs(args: string[]): AnalyzeOptions | string {
  const files: string[] = [];
  let view = 'frontal';
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--json') json = true;
    else if (arg === '--view') view = args[++i] ?? '';
    else if (arg.startsWith('--view=')) view = arg.slice('--view='.length);
    else if (arg.startsWith('--')) return `Unknown option ${arg}`;
    else files.push(arg);
  }
  if (files.length === 0) return 'Give at least one image file.';
  if (!DEFAULT_PROTOCOL.views.some((v) => v.id === view)) {
    return `Unknown view "${view}". Views: ${DEFAULT_PROTOCOL.views.map((v) => v.id).join(', ')}`;
  }
  return { files, view, json };
}

export async function analyze(options: AnalyzeOptions, output: Output): Promise<number> {
  // Several images: worker threads on the spare cores; one image: no worker start-up to pay for.
  const pool = options.files.length > 2 ? await LandmarkPool.start() : null;
  const landmarker = pool ? null : await FaceLandmarker.load();
  let failures = 0;
  try {
    const results = await Promise.all(
      options.files.map(async (file) => {
        try {
          const image = await decodePhoto(await readFile(file));
          const finder = pool ?? (landmarker as FaceLandmarker);
          const analysis = pool ? await pool.analyze(image, options.view) : await analyzeImage(image, options.view, finder);
          return {
            file,
            width: analysis.width,
            height: analysis.height,
            face: analysis.face,
            faces: analysis.faces,
            quality: analysis.quality,
            // Facial analysis (AI estimates, labelled as such in each zone's scale name); other views say why they have none.
            ...(await facialFindings(analysis, image, finder, severityEstimator())),
          };
        } catch (error) {
          failures += 1;
          const reason = error instanceof ImageRejected ? error.message : (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file.' : (error as Error).message;
          output.err(`contour analyze: ${file}: ${reason}`);
          return null;
        }
      }),
    );
    const done = results.filter((r) => r !== null);
    if (options.json) {
      output.out(JSON.stringify(options.files.length === 1 ? (done[0] ?? null) : done));
    } else {
      for (const r of done) {
        output.out(`${r.file}: ${r.quality.passed ? 'meets the protocol' : 'does NOT meet the protocol'} (${options.view}, ${r.width}×${r.height})`);
        for (const check of r.quality.checks.filter((c) => !c.passed)) output.out(`  ✗ ${check.id}: ${check.message}`);
      }
    }
  } finally {
    await pool?.close();
  }
  return failures > 0 ? 1 : 0;
}
