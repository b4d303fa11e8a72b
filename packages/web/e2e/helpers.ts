/**
 * Shared set-up for the browser tests: a real Contour server on a throw-away data directory serving
 * the built web app, driven by the system Chromium through playwright-core.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startContour } from '../../server/src/server.js';

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
    async close() {
      await contour.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
