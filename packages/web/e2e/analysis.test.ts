/**
 * Facial analysis in a real browser against the real server and the real face model: a clinician opens
 * the analysis of an uploaded frontal photo (zone overlay on the photo, measurements in mm), grades a zone
 * and finds the grade again after a reload; the owner sees the grading agreement on the overview. A
 * landscape and an EXIF-rotated input show the overlay follows the stored image, whatever its shape.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { APIRequestContext, Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, skipBrowserTests, startClinic, tabletContext, watchedPage, type TestClinic } from './helpers.js';

const FACES = fileURLToPath(new URL('../../../fixtures/faces/', import.meta.url));
const NEUTRAL = join(FACES, 'london-001-neutral.jpg');
const SCREENSHOTS = '/tmp/contour-screenshots';
const OWNER = { displayName: 'Dr Olive Owner', email: 'analysis-owner@example.test', password: 'faces are data too' };
const CLINICIAN = {
  displayName: 'Dr Cara Clinician',
  email: 'analysis-clinician@example.test',
  password: 'grades are judgements',
  role: 'clinician',
  registrationNumber: 'GMC 7654321',
};
/** The server analyses with the real model on shared cores; the first analysis also loads it. */
const ANALYSIS_TIMEOUT = 90_000;

interface Api {
  call<T>(method: 'GET' | 'POST' | 'PUT', path: string, data?: unknown): Promise<T>;
  upload<T>(path: string, bytes: Buffer): Promise<T>;
}

function apiFor(request: APIRequestContext, csrf: string): Api {
  const check = async (response: Awaited<ReturnType<APIRequestContext['fetch']>>, what: string) => {
    if (!response.ok()) throw new Error(`${what} answered ${response.status()}: ${await response.text()}`);
  };
  return {
    async call<T>(method: 'GET' | 'POST' | 'PUT', path: string, data?: unknown): Promise<T> {
      const response = await request.fetch(path, {
        method,
        headers: method === 'GET' ? {} : { 'x-csrf-token': csrf },
        ...(data === undefined ? {} : { data }),
      });
      await check(response, `${method} ${path}`);
      return (await response.json()) as T;
    },
    async upload<T>(path: string, bytes: Buffer): Promise<T> {
      const response = await request.post(path, { headers: { 'x-csrf-token': csrf, 'content-type': 'image/jpeg' }, data: bytes });
      await check(response, `POST ${path}`);
      return (await response.json()) as T;
    },
  };
}

async function signIn(context: BrowserContext, user: { email: string; password: string }): Promise<Api> {
  const response = await context.request.post('/api/auth/login', { data: { email: user.email, password: user.password } });
  expect(response.status()).toBe(200);
  return apiFor(context.request, ((await response.json()) as { csrfToken: string }).csrfToken);
}

async function signature(): Promise<string> {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120"><rect width="320" height="120" fill="#fff"/>' +
    '<path d="M20 80 C 70 10, 120 110, 170 50 S 260 20, 300 70" stroke="#1d2433" stroke-width="4" fill="none"/></svg>';
  return `data:image/png;base64,${(await sharp(Buffer.from(svg)).png().toBuffer()).toString('base64')}`;
}

async function createPatient(api: Api, givenName: string, familyName: string): Promise<string> {
  const patient = await api.call<{ id: string }>('POST', '/api/patients', {
    givenName,
    familyName,
    sex: 'female',
    acquisitionChannel: 'referral',
  });
  const templates = (await api.call<{ items: { id: string; type: string; current: boolean }[] }>('GET', '/api/consent-templates')).items;
  for (const type of ['clinical_photography', 'ai_analysis']) {
    const template = templates.find((item) => item.type === type && item.current);
    if (!template) throw new Error(`no current ${type} consent form`);
    await api.call('POST', `/api/patients/${patient.id}/consents`, {
      templateId: template.id,
      signedName: `${givenName} ${familyName}`,
      signature: await signature(),
    });
  }
  return patient.id;
}

interface Analysis {
  width: number;
  height: number;
  zones: { id: string; side: string; polygon: [number, number][] }[];
  landmarks: [number, number, number][];
}

/** Waits until the photo has been analysed, then returns its facial analysis. */
async function analysed(api: Api, photoId: string): Promise<Analysis> {
  const deadline = Date.now() + ANALYSIS_TIMEOUT;
  for (;;) {
    const photo = await api.call<{ status: string; statusReason: string | null }>('GET', `/api/photos/${photoId}`);
    if (photo.status === 'analysed') return api.call<Analysis>('GET', `/api/photos/${photoId}/analysis`);
    if (photo.status === 'failed' || photo.status === 'not_analysed') {
      throw new Error(`photo ${photo.status}: ${photo.statusReason ?? ''}`);
    }
    if (Date.now() > deadline) throw new Error(`photo still ${photo.status} after ${ANALYSIS_TIMEOUT} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

/** Every polygon point inside the image, and the zones' extent within `region` (where the face is). */
function expectZonesOnFace(analysis: Analysis, region: { left: number; top: number; right: number; bottom: number }) {
  expect(analysis.zones.length).toBeGreaterThan(5);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const zone of analysis.zones) {
    for (const [x, y] of zone.polygon) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(analysis.width);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(analysis.height);
      xs.push(x);
      ys.push(y);
    }
  }
  expect(Math.min(...xs)).toBeGreaterThanOrEqual(region.left);
  expect(Math.max(...xs)).toBeLessThanOrEqual(region.right);
  expect(Math.min(...ys)).toBeGreaterThanOrEqual(region.top);
  expect(Math.max(...ys)).toBeLessThanOrEqual(region.bottom);
}

describe.skipIf(skipBrowserTests)('facial analysis in Chromium', () => {
  let clinic: TestClinic;
  let browser: Browser;
  let ownerContext: BrowserContext;
  let clinicianContext: BrowserContext;
  let page: Page;
  let owner: Api;
  let clinician: Api;
  let patientId = '';
  let analysisPath = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    clinic = await startClinic();
    browser = await launchBrowser();
    ownerContext = await tabletContext(browser, clinic.url);
    const setup = await ownerContext.request.post('/api/setup', {
      data: { clinicName: 'Analysis Clinic', locationName: 'High street', owner: OWNER },
    });
    expect(setup.status()).toBe(201);
    owner = apiFor(ownerContext.request, ((await setup.json()) as { csrfToken: string }).csrfToken);
    await owner.call('POST', '/api/users', CLINICIAN);
    clinicianContext = await tabletContext(browser, clinic.url);
    clinician = await signIn(clinicianContext, CLINICIAN);
    page = await watchedPage(clinicianContext, pageErrors, 15_000);
    patientId = await createPatient(clinician, 'Lena', 'Marsh');
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await clinicianContext?.close();
    await ownerContext?.close();
    await browser?.close();
    await clinic?.close();
  });

  it('opens the analysis of an uploaded frontal photo: zones over the face, measurements in mm', async () => {
    const session = await clinician.call<{ id: string }>('POST', `/api/patients/${patientId}/photo-sessions`, {});
    await page.goto(`/patients/${patientId}/photos/${session.id}`);
    const frontal = page.locator('[data-testid="view-cell"][data-view="frontal"]');
    await frontal.getByLabel('Upload Frontal, neutral').setInputFiles(NEUTRAL);
    const link = frontal.getByTestId('analysis-link');
    await link.waitFor({ timeout: ANALYSIS_TIMEOUT });
    await link.click();
    await page.waitForURL(/\/analysis\/[0-9a-f-]{36}$/);
    analysisPath = new URL(page.url()).pathname;

    await page.getByRole('heading', { name: 'Facial analysis', level: 1 }).waitFor();
    await page.getByTestId('analysis-photo').waitFor();
    expect(await page.getByTestId('ai-label').textContent()).toMatch(/AI estimate.*not a diagnosis/);
    const overlay = page.getByTestId('analysis-overlay');
    const viewBox = (await overlay.getAttribute('viewBox'))?.split(' ').map(Number) ?? [];
    expect(viewBox).toEqual([0, 0, 1000, 1000]);
    const points = await overlay.locator('polygon').evaluateAll((polygons) =>
      polygons.flatMap((polygon) => Array.from((polygon as SVGPolygonElement).points, (p) => [p.x, p.y] as const)),
    );
    expect(points.length).toBeGreaterThan(20);
    for (const [x, y] of points) {
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThanOrEqual(1000);
      expect(y).toBeGreaterThanOrEqual(0);
      expect(y).toBeLessThanOrEqual(1000);
    }
    // The overlay covers the picture exactly, so image pixels and overlay units coincide on screen.
    const [image, svg] = await Promise.all([page.getByTestId('analysis-photo').boundingBox(), overlay.boundingBox()]);
    expect(Math.abs((image?.width ?? 0) - (svg?.width ?? -9))).toBeLessThan(1.5);
    expect(Math.abs((image?.height ?? 0) - (svg?.height ?? -9))).toBeLessThan(1.5);

    const ipd = page.locator('[data-testid="measurements"] tr[data-measurement="interpupillary_distance"]');
    expect(await ipd.textContent()).toMatch(/Inter-pupil distance.*\d+\.\d mm ± \d+\.\d mm/);
    expect(await page.getByTestId('not-measurable').textContent()).toContain('profile');

    await page.getByLabel('Landmarks').check();
    expect(await page.locator('[data-testid="landmarks"] circle').count()).toBe(478);
    await page.getByLabel('Landmarks').uncheck();
    await page.getByLabel('Zones').uncheck();
    expect(await overlay.locator('polygon').count()).toBe(0);
    await page.getByLabel('Zones').check();
  });

  it('saves a clinician grade and shows it again after a reload', async () => {
    const finding = page.locator('[data-testid="finding"][data-zone="glabella"]').first();
    await finding.getByLabel('2 Moderate').check({ force: true });
    await finding.getByRole('button', { name: 'Save grade' }).click();
    const grades = finding.getByTestId('grades');
    await grades.waitFor();
    expect(await grades.textContent()).toContain(CLINICIAN.displayName);

    await page.reload();
    const again = page.locator('[data-testid="finding"][data-zone="glabella"]').first();
    await again.getByTestId('grades').waitFor();
    expect(await again.getByTestId('grades').textContent()).toMatch(/2 \(moderate\).*from the photo/);
    expect(await again.getByLabel('2 Moderate').isChecked()).toBe(true);
    expect(await again.getByRole('button', { name: 'Update grade' }).isVisible()).toBe(true);
  });

  it('exports the photo with its overlay and the AI label as a PNG', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export as image' }).click()]);
    const file = join(SCREENSHOTS, 'analysis-export.png');
    await download.saveAs(file);
    const meta = await sharp(file).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([1000, 1000]);
  });

  it('looks right on a 10-inch tablet and on a phone', async () => {
    for (const [name, viewport] of [
      ['tablet', { width: 1024, height: 768 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.getByTestId('analysis-photo').waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, `analysis-${name}.png`), fullPage: true });
      await page.screenshot({ path: join(SCREENSHOTS, `analysis-${name}-top.png`) });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    }
    await page.setViewportSize({ width: 1024, height: 768 });
  });

  it('shows the grading agreement on the overview', async () => {
    const ownerPage = await watchedPage(ownerContext, pageErrors, 15_000);
    await ownerPage.goto('/overview');
    const table = ownerPage.getByTestId('grading-agreement');
    await table.locator('tr[data-zone="overall"]').waitFor();
    expect(await table.textContent()).toContain('Weighted kappa');
    expect(await table.locator('tr[data-zone="glabella"]').textContent()).toMatch(/Glabella.*1$/);
    await ownerPage.close();
  });

  it('lines the overlay up on a landscape photo and on an EXIF-rotated one', async () => {
    const session = await clinician.call<{ id: string }>('POST', `/api/patients/${patientId}/photo-sessions`, {});
    // The 1000×1000 portrait on a wider grey canvas, 300 px from the left.
    const landscape = await sharp({ create: { width: 1600, height: 1000, channels: 3, background: '#8a8a8a' } })
      .composite([{ input: NEUTRAL, left: 300, top: 0 }])
      .jpeg({ quality: 92 })
      .toBuffer();
    const wide = await clinician.upload<{ id: string }>(`/api/photo-sessions/${session.id}/photos?view=frontal`, landscape);
    const wideAnalysis = await analysed(clinician, wide.id);
    expect([wideAnalysis.width, wideAnalysis.height]).toEqual([1600, 1000]);
    expectZonesOnFace(wideAnalysis, { left: 300, top: 0, right: 1300, bottom: 1000 });

    await page.goto(`/patients/${patientId}/photos/${session.id}/analysis/${wide.id}`);
    const overlay = page.getByTestId('analysis-overlay');
    await overlay.waitFor();
    expect(await overlay.getAttribute('viewBox')).toBe('0 0 1600 1000');
    const box = await page.getByTestId('analysis-photo').boundingBox();
    const svgBox = await overlay.boundingBox();
    expect(Math.abs((box?.width ?? 0) / (box?.height ?? 1) - 1.6)).toBeLessThan(0.02);
    expect(Math.abs((svgBox?.width ?? 0) - (box?.width ?? -9))).toBeLessThan(1.5);

    // Pixels stored sideways with an EXIF orientation saying "turn 90° clockwise": stored upright by the server.
    const sideways = await sharp(NEUTRAL).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 92 }).toBuffer();
    const turned = await clinician.upload<{ id: string }>(`/api/photo-sessions/${session.id}/photos?view=frontal`, sideways);
    const turnedAnalysis = await analysed(clinician, turned.id);
    expect([turnedAnalysis.width, turnedAnalysis.height]).toEqual([1000, 1000]);
    expectZonesOnFace(turnedAnalysis, { left: 0, top: 0, right: 1000, bottom: 1000 });
    // Upright: the forehead is above the chin.
    const centreY = (id: string) => {
      const zone = turnedAnalysis.zones.find((item) => item.id === id);
      const ys = zone?.polygon.map(([, y]) => y) ?? [NaN];
      return ys.reduce((a, b) => a + b, 0) / ys.length;
    };
    expect(centreY('forehead')).toBeLessThan(centreY('chin'));
  });

  it('marks the figures measured on an edge of the outline not clearly seen as estimates, saying why', async () => {
    // This face's left cheekbone has a second edge about as clear beside it (outline-edges.ts).
    const session = await clinician.call<{ id: string }>('POST', `/api/patients/${patientId}/photo-sessions`, {});
    const photo = await clinician.upload<{ id: string }>(`/api/photo-sessions/${session.id}/photos?view=frontal`, readFileSync(join(FACES, 'london-141-neutral.jpg')));
    await analysed(clinician, photo.id);
    await page.goto(`/patients/${patientId}/photos/${session.id}/analysis/${photo.id}`);
    const row = (id: string) => page.locator(`[data-testid="measurements"] tr[data-measurement="${id}"]`);
    await row('bizygomatic_width').waitFor();
    expect(await row('bizygomatic_width').getByTestId('unclear-edge').textContent()).toMatch(/^Estimate: another edge about as clear lies beside the outline at the left cheekbone \(an ear, a sideburn or hair\)/);
    expect(await row('bizygomatic_width').locator('td').first().textContent()).toMatch(/^≈ \d+\.\d mm ± \d+\.\d mm$/);
    await page.getByTestId('measurements').screenshot({ path: join(SCREENSHOTS, 'analysis-unclear-edge.png') });
    for (const id of ['bigonial_to_bizygomatic', 'face_width_to_height', 'symmetry_jaw']) expect(await row(id).getByTestId('unclear-edge').count(), id).toBe(1);
    // A figure off the outline is given as measured.
    expect(await row('interpupillary_distance').getByTestId('unclear-edge').count()).toBe(0);
    expect(await row('interpupillary_distance').locator('td').first().textContent()).toMatch(/^\d+\.\d mm/);
  });

  it('marks an analysis an earlier method made, and analyses it again from the overview or from the analysis', async () => {
    const photoId = analysisPath.split('/').at(-1) ?? '';
    const row = await clinic.db.selectFrom('photo').select('facial_analysis').where('id', '=', photoId).executeTakeFirstOrThrow();
    const current = (row.facial_analysis as { method: string }).method;
    /** Stores the analysis as an earlier version of Contour did. */
    const madeEarlier = () =>
      clinic.db
        .updateTable('photo')
        .set({ facial_analysis: JSON.stringify({ ...(row.facial_analysis as object), method: 'contour-analysis/2026-01-01' }) })
        .where('id', '=', photoId)
        .execute();
    await madeEarlier();
    await page.goto(analysisPath);
    const notice = page.getByTestId('earlier-method');
    await notice.waitFor();
    expect(await notice.textContent()).toContain('earlier analysis method (contour-analysis/2026-01-01)');
    await page.screenshot({ path: join(SCREENSHOTS, 'analysis-earlier-method.png') });

    // The owner's grading agreement leaves the clinician's grade of it out, says why, and has it analysed again.
    const ownerPage = await watchedPage(ownerContext, pageErrors, 15_000);
    await ownerPage.goto('/overview');
    const left = ownerPage.getByTestId('earlier-method-grades');
    await left.waitFor();
    expect(await left.textContent()).toMatch(/^1 grade is left out: its photo was analysed with an earlier method than contour-analysis\//);
    await left.getByRole('button', { name: 'Analyse those photos again' }).click();
    await left.getByRole('status').filter({ hasText: '1 photo queued for analysis with the current method' }).waitFor();
    await analysed(clinician, photoId);
    await ownerPage.reload();
    await ownerPage.getByTestId('grading-agreement').locator('tr[data-zone="overall"]').waitFor();
    expect(await ownerPage.getByTestId('earlier-method-grades').count()).toBe(0);
    await ownerPage.close();

    // One photo at a time, from its analysis page.
    await madeEarlier();
    await page.goto(analysisPath);
    await page.getByTestId('earlier-method').getByRole('button', { name: 'Analyse again' }).click();
    await page.waitForURL(/\/photos\/[0-9a-f-]{36}$/);
    const link = page.locator('[data-testid="view-cell"][data-view="frontal"]').getByTestId('analysis-link');
    await link.waitFor({ timeout: ANALYSIS_TIMEOUT });
    await link.click();
    await page.getByTestId('analysis-photo').waitFor();
    expect(await page.locator('.page-header').textContent()).toContain(`method ${current}`);
    expect(await page.getByTestId('earlier-method').count()).toBe(0);
  });

  it('had no script errors', () => {
    expect(pageErrors).toEqual([]);
    expect(analysisPath).toMatch(/analysis/);
  });
});
