/**
 * Shared set-up for the browser tests: a real Contour server on a throw-away data directory serving
 * the built web app, driven by the system Chromium through playwright-core.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type APIRequestContext, type APIResponse, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startContour, type RunningContour } from '../../server/src/server.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const WEB_ROOT = fileURLToPath(new URL('../dist/', import.meta.url));

const onCi = process.env.CI === 'true';
const hasChromium = existsSync(CHROMIUM_PATH);

/**
 * Without Chromium the browser tests are skipped on a developer machine, but on CI a missing browser
 * must fail the run rather than pass silently.
 */
export const skipBrowserTests = !hasChromium && !onCi;
if (skipBrowserTests) {
  console.warn(`Browser tests skipped: ${CHROMIUM_PATH} not found. Install Chromium to run them.`);
}

/** Chromium with the usual headless flags, plus any the test needs (e.g. a fake camera fed from a file). */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  if (!hasChromium) throw new Error(`Chromium is required for the browser tests but ${CHROMIUM_PATH} does not exist.`);
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

/** A 10-inch tablet's viewport on the clinic's server. */
export function tabletContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1024, height: 768 }, baseURL });
}

/** A page whose script errors are collected in `errors`, so every suite can assert there were none. */
export async function watchedPage(context: BrowserContext, errors: string[], timeoutMs: number): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(timeoutMs);
  page.on('pageerror', (error) => errors.push(error.message));
  return page;
}

export interface TestClinic {
  url: string;
  /** The server's database, for a test that needs a record as an earlier version stored it. */
  db: RunningContour['services']['db'];
  close(): Promise<void>;
}

/** A fresh, empty installation (needs first-run setup) on an embedded database in a temporary directory. */
export async function startClinic(): Promise<TestClinic> {
  if (!existsSync(join(WEB_ROOT, 'index.html'))) {
    throw new Error(`The web app is not built (${WEB_ROOT} has no index.html). Run "npx vite build" in packages/web first.`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'contour-e2e-'));
  // An empty environment: the tests always use embedded storage, whatever DATABASE_URL the shell has.
  const contour = await startContour({ dataDir, port: 0, webRoot: WEB_ROOT, logLevel: 'warn' }, {});
  return {
    url: contour.url,
    db: contour.services.db,
    async close() {
      await contour.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/* ---- Set-up through the API (used by the planning suite; additive, the older suites keep their own copies) ---- */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A signed-in user's API: `call` throws on an error answer, `raw` returns the status and body for assertions. */
export interface ClinicApi {
  call<T>(method: HttpMethod, path: string, data?: unknown): Promise<T>;
  raw(method: HttpMethod, path: string, data?: unknown): Promise<{ status: number; body: unknown }>;
  upload<T>(path: string, bytes: Buffer, contentType?: string): Promise<T>;
}

export function clinicApi(request: APIRequestContext, csrf: string): ClinicApi {
  const send = (method: HttpMethod, path: string, data?: unknown) =>
    request.fetch(path, { method, headers: method === 'GET' ? {} : { 'x-csrf-token': csrf }, ...(data === undefined ? {} : { data }) });
  const body = async (response: APIResponse): Promise<unknown> => {
    const text = await response.text();
    try {
      return text ? (JSON.parse(text) as unknown) : null;
    } catch {
      return text;
    }
  };
  return {
    async call<T>(method: HttpMethod, path: string, data?: unknown): Promise<T> {
      const response = await send(method, path, data);
      if (!response.ok()) throw new Error(`${method} ${path} answered ${response.status()}: ${await response.text()}`);
      return (await body(response)) as T;
    },
    async raw(method: HttpMethod, path: string, data?: unknown) {
      const response = await send(method, path, data);
      return { status: response.status(), body: await body(response) };
    },
    async upload<T>(path: string, bytes: Buffer, contentType = 'image/jpeg'): Promise<T> {
      const response = await request.post(path, { headers: { 'x-csrf-token': csrf, 'content-type': contentType }, data: bytes });
      if (!response.ok()) throw new Error(`POST ${path} answered ${response.status()}: ${await response.text()}`);
      return (await response.json()) as T;
    },
  };
}

/** First-run setup in `context`: the clinic and its owner, signed in there. */
export async function setUpClinic(
  context: BrowserContext,
  clinicName: string,
  owner: { displayName: string; email: string; password: string },
): Promise<ClinicApi> {
  const response = await context.request.post('/api/setup', { data: { clinicName, locationName: 'High street', owner } });
  if (response.status() !== 201) throw new Error(`setup answered ${response.status()}: ${await response.text()}`);
  return clinicApi(context.request, ((await response.json()) as { csrfToken: string }).csrfToken);
}

export async function signInApi(context: BrowserContext, user: { email: string; password: string }): Promise<ClinicApi> {
  const response = await context.request.post('/api/auth/login', { data: { email: user.email, password: user.password } });
  if (response.status() !== 200) throw new Error(`sign-in answered ${response.status()}: ${await response.text()}`);
  return clinicApi(context.request, ((await response.json()) as { csrfToken: string }).csrfToken);
}

/** A drawn signature as the PNG data URL consents carry. */
export async function signatureDataUrl(): Promise<string> {
  const { default: sharp } = await import('sharp');
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120"><rect width="320" height="120" fill="#fff"/>' +
    '<path d="M20 80 C 70 10, 120 110, 170 50 S 260 20, 300 70" stroke="#1d2433" stroke-width="4" fill="none"/></svg>';
  return `data:image/png;base64,${(await sharp(Buffer.from(svg)).png().toBuffer()).toString('base64')}`;
}

/** A patient with the given consents signed (their current forms). */
export async function createConsentedPatient(api: ClinicApi, givenName: string, familyName: string, consents: string[]): Promise<string> {
  const patient = await api.call<{ id: string }>('POST', '/api/patients', { givenName, familyName, sex: 'female', acquisitionChannel: 'referral' });
  const templates = (await api.call<{ items: { id: string; type: string; current: boolean }[] }>('GET', '/api/consent-templates')).items;
  const signature = await signatureDataUrl();
  for (const type of consents) {
    const template = templates.find((item) => item.type === type && item.current);
    if (!template) throw new Error(`no current ${type} consent form`);
    await api.call('POST', `/api/patients/${patient.id}/consents`, { templateId: template.id, signedName: `${givenName} ${familyName}`, signature });
  }
  return patient.id;
}

/** Waits until a photo has been analysed (the real model on shared cores: the first analysis also loads it). */
export async function waitForAnalysis(api: ClinicApi, photoId: string, timeoutMs = 90_000): Promise<{ id: string; sha256: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const photo = await api.call<{ id: string; sha256: string; status: string; statusReason: string | null }>('GET', `/api/photos/${photoId}`);
    if (photo.status === 'analysed') return photo;
    if (photo.status === 'failed' || photo.status === 'not_analysed') throw new Error(`photo ${photo.status}: ${photo.statusReason ?? ''}`);
    if (Date.now() > deadline) throw new Error(`photo still ${photo.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
