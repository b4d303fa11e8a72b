/**
 * Outcome simulation in a real browser against the real server, planner, face model and renderer: from the plan
 * page a clinician opens the simulation, renders the expected variant of the plan on the analysed frontal photo,
 * sees the projection label beside the labelled image, compares before and after with a divider (mouse and
 * keyboard) and side by side, switches to the upper and conservative variants (their intended changes in order),
 * lowers the intensity, shows one item alone and downloads the labelled JPEG. For a patient without simulation
 * consent the page says what is missing and where to record it, and shows no image.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  createConsentedPatient,
  launchBrowser,
  setUpClinic,
  signInApi,
  skipBrowserTests,
  startClinic,
  tabletContext,
  waitForAnalysis,
  watchedPage,
  type ClinicApi,
  type TestClinic,
} from './helpers.js';

const NEUTRAL = fileURLToPath(new URL('../../../fixtures/faces/london-001-neutral.jpg', import.meta.url));
const SCREENSHOTS = '/tmp/contour-screenshots';
const OWNER = { displayName: 'Dr Petra Owner', email: 'simulation-owner@example.test', password: 'a projection is not a promise' };
const CLINICIAN = {
  displayName: 'Dr Sol Simulator',
  email: 'simulation-clinician@example.test',
  password: 'three variants, one range',
  role: 'clinician',
  registrationNumber: 'GMC 7654321',
};
const ANALYSIS_TIMEOUT = 120_000;
const RENDER_TIMEOUT = 60_000;
const LABEL = 'Simulated projection, not a guaranteed outcome';
const INTAKE = {
  concerns: 'My lips have got thinner and I have frown lines.',
  goals: ['lip_volume', 'smooth_lines'],
  subtlety: 'balanced',
  budget: null,
  downtime: 'few_days',
  upcomingEvent: null,
};

interface Plan {
  id: string;
  current: { version: number; suggested: { items: { key: string; zoneId: string; productLabel: string }[] } };
}

interface Change {
  key: string;
  zone: string;
  amount: number;
}

describe.skipIf(skipBrowserTests)('outcome simulation in Chromium', () => {
  let clinic: TestClinic;
  let browser: Browser;
  let ownerContext: BrowserContext;
  let clinicianContext: BrowserContext;
  let page: Page;
  let clinician: ClinicApi;
  let patientId = '';
  let plan: Plan;
  let unconsentedId = '';
  let unconsentedPlanId = '';
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const amounts = new Map<string, Map<string, number>>();

  /** The intended changes listed on the page now. */
  const listedChanges = async (): Promise<Change[]> =>
    page.getByTestId('intended-change').evaluateAll((items) =>
      items.map((item) => ({
        key: item.getAttribute('data-key') ?? '',
        zone: item.getAttribute('data-zone') ?? '',
        amount: Number(item.getAttribute('data-amount')),
      })),
    );

  /** Clicks a variant and waits until its projection is rendered, listed and its image decoded. */
  async function renderVariant(name: 'Conservative' | 'Expected' | 'Upper'): Promise<void> {
    const variant = name.toLowerCase();
    const button = page.getByRole('group', { name: 'Variant' }).getByRole('button', { name, exact: true });
    await button.click();
    expect(await button.getAttribute('aria-pressed')).toBe('true');
    await settled(variant);
  }

  /** Waits for the rendering to finish and the image of the listed simulation to be on screen. */
  async function settled(variant: string): Promise<void> {
    const changes = page.getByTestId('intended-changes');
    await page.locator(`[data-testid="intended-changes"][data-variant="${variant}"]`).waitFor({ timeout: RENDER_TIMEOUT });
    await page.getByTestId('sim-busy').waitFor({ state: 'detached', timeout: RENDER_TIMEOUT });
    const id = await changes.getAttribute('data-simulation-id');
    const image = page.locator(`[data-testid="simulation-image"][data-simulation-id="${id}"]`);
    await image.waitFor({ timeout: RENDER_TIMEOUT });
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 10_000 }).toBe(true);
  }

  beforeAll(async () => {
    clinic = await startClinic();
    browser = await launchBrowser();
    ownerContext = await tabletContext(browser, clinic.url);
    const owner = await setUpClinic(ownerContext, 'Simulation Clinic', OWNER);
    await owner.call('POST', '/api/users', CLINICIAN);
    clinicianContext = await tabletContext(browser, clinic.url);
    clinician = await signInApi(clinicianContext, CLINICIAN);
    page = await watchedPage(clinicianContext, pageErrors, 20_000);
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });

    const photo = readFileSync(NEUTRAL);
    const withPlan = async (id: string): Promise<Plan> => {
      const session = await clinician.call<{ id: string }>('POST', `/api/patients/${id}/photo-sessions`, {});
      const uploaded = await clinician.upload<{ id: string }>(`/api/photo-sessions/${session.id}/photos?view=frontal`, photo);
      await waitForAnalysis(clinician, uploaded.id, ANALYSIS_TIMEOUT);
      return clinician.call<Plan>('POST', `/api/patients/${id}/plans`, { intake: INTAKE, photoId: uploaded.id });
    };
    patientId = await createConsentedPatient(clinician, 'Iris', 'Calloway', ['clinical_photography', 'ai_analysis', 'simulation']);
    plan = await withPlan(patientId);
    unconsentedId = await createConsentedPatient(clinician, 'Nell', 'Ashdown', ['clinical_photography', 'ai_analysis']);
    unconsentedPlanId = (await withPlan(unconsentedId)).id;
    expect(plan.current.suggested.items.length).toBeGreaterThanOrEqual(2);
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 2 * ANALYSIS_TIMEOUT + 60_000);

  afterAll(async () => {
    await clinicianContext?.close();
    await ownerContext?.close();
    await browser?.close();
    await clinic?.close();
  });

  it('opens from the plan page and renders the expected variant with its label beside the image', async () => {
    await page.goto(`/patients/${patientId}/plans/${plan.id}`);
    const link = page.getByRole('link', { name: 'Simulate the outcome' });
    await link.waitFor();
    // The plan page's header still fits a phone with the link in it.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1024, height: 768 });
    await link.click();
    await page.getByRole('heading', { name: 'Outcome simulation', level: 1 }).waitFor();
    // Ids only in the address.
    expect(new URL(page.url()).pathname).toBe(`/patients/${patientId}/plans/${plan.id}/simulate`);
    expect(page.url()).not.toMatch(/Iris|Calloway/);
    // Nothing is rendered (or stored) until a variant is chosen: the photo is shown alone.
    await page.getByTestId('before-only').locator('img').waitFor();
    expect(await page.getByTestId('simulation-image').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Download labelled image' }).isDisabled()).toBe(true);

    await renderVariant('Expected');
    const label = page.getByTestId('simulation-label');
    expect(await label.isVisible()).toBe(true);
    expect(await label.textContent()).toContain(LABEL);
    expect(await label.textContent()).toContain('Expected variant');

    // The simulated image is the photo with a label band below it: taller than the photo, at the same width.
    const before = page.getByTestId('before-image');
    await expect.poll(() => before.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    const sizes = await page.evaluate(() => {
      const pick = (id: string) => {
        const img = document.querySelector<HTMLImageElement>(`[data-testid="${id}"]`);
        if (!img) throw new Error(`no ${id}`);
        const box = img.getBoundingClientRect();
        return { naturalWidth: img.naturalWidth, naturalHeight: img.naturalHeight, left: box.left, top: box.top, width: box.width, height: box.height };
      };
      return { after: pick('simulation-image'), before: pick('before-image') };
    });
    expect(sizes.after.naturalWidth).toBe(sizes.before.naturalWidth);
    expect(sizes.after.naturalHeight).toBeGreaterThan(sizes.before.naturalHeight);
    // The photo before lies exactly over the photo part of the simulated image (the band is the extra height).
    const photoPart = (sizes.after.height * sizes.before.naturalHeight) / sizes.after.naturalHeight;
    expect(Math.abs(sizes.before.left - sizes.after.left)).toBeLessThan(1);
    expect(Math.abs(sizes.before.top - sizes.after.top)).toBeLessThan(1);
    expect(Math.abs(sizes.before.width - sizes.after.width)).toBeLessThan(1);
    expect(Math.abs(sizes.before.height - photoPart)).toBeLessThan(1.5);
    expect(sizes.before.height).toBeLessThan(sizes.after.height - 10);

    const changes = await listedChanges();
    expect(changes.length).toBeGreaterThan(0);
    amounts.set('expected', new Map(changes.map((change) => [change.key, change.amount])));
    const text = (await page.getByTestId('intended-changes').textContent()) ?? '';
    expect(text).toContain('Expected variant');
    // Plain language with units: e.g. "+0.9 mm upper vermilion height", "−1 grade glabellar lines at rest".
    expect(text).toMatch(/[+−]\d+(\.\d)? (mm|grades?|%) \S/);
    expect(text).toMatch(/vermilion height|lines at rest/);
    await page.screenshot({ path: join(SCREENSHOTS, 'simulation-expected.png'), fullPage: true });
  });

  it('moves the before and after divider by dragging and with the keyboard', async () => {
    const divider = page.getByTestId('sim-divider');
    const position = async () => Number(await divider.getAttribute('data-position'));
    expect(await position()).toBe(50);
    const frame = page.getByTestId('sim-compare');
    const box = await frame.boundingBox();
    if (!box) throw new Error('no comparison frame');
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.35, box.y + box.height * 0.3, { steps: 4 });
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.3, { steps: 4 });
    await page.mouse.up();
    expect(Math.abs((await position()) - 25)).toBeLessThanOrEqual(1);
    // The photo before is cut at the divider.
    const clip = await page.getByTestId('before-image').evaluate((img: HTMLImageElement) => img.style.clipPath);
    expect(clip).toMatch(/inset\(0(px)? 7[45]%/);

    const range = page.getByRole('slider', { name: 'Before and after divider' });
    await range.focus();
    const start = await position();
    for (let i = 0; i < 5; i += 1) await page.keyboard.press('ArrowRight');
    expect(await position()).toBe(start + 5);
    await page.keyboard.press('End');
    expect(await position()).toBe(100);
    expect(await range.getAttribute('aria-valuetext')).toBe('100 % before, 0 % after');
    await page.keyboard.press('Home');
    expect(await position()).toBe(0);
  });

  it('shows before and after side by side at the same size', async () => {
    await page.getByRole('radio', { name: 'Side by side' }).check();
    const pair = page.getByTestId('side-by-side');
    await pair.waitFor();
    expect(await pair.locator('img').count()).toBe(2);
    const [before, after] = await Promise.all([page.getByTestId('before-image').boundingBox(), page.getByTestId('simulation-image').boundingBox()]);
    if (!before || !after) throw new Error('images not laid out');
    expect(Math.abs(before.y - after.y)).toBeLessThan(1);
    expect(Math.abs(before.width - after.width)).toBeLessThan(1);
    expect(before.height).toBeLessThan(after.height);
    expect(before.x + before.width).toBeLessThanOrEqual(after.x);
    expect(await page.getByTestId('simulation-label').isVisible()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'simulation-side-by-side.png'), fullPage: true });
    await page.getByRole('radio', { name: 'Divider' }).check();
    await page.getByTestId('sim-compare').waitFor();
  });

  it('renders the upper and conservative variants, their changes in order', async () => {
    await renderVariant('Upper');
    amounts.set('upper', new Map((await listedChanges()).map((change) => [change.key, change.amount])));
    expect(await page.getByTestId('simulation-label').textContent()).toContain('Upper variant');
    await renderVariant('Conservative');
    amounts.set('conservative', new Map((await listedChanges()).map((change) => [change.key, change.amount])));
    expect(await page.getByTestId('simulation-label').textContent()).toContain('Conservative variant');
    expect(await page.getByTestId('intended-changes').textContent()).toContain('Conservative variant');

    const [low, mid, high] = (['conservative', 'expected', 'upper'] as const).map((variant) => amounts.get(variant)!);
    const shared = [...mid!.keys()].filter((key) => low!.has(key) && high!.has(key));
    expect(shared.length).toBeGreaterThan(0);
    for (const key of shared) {
      expect(Math.abs(low!.get(key)!), key).toBeLessThanOrEqual(Math.abs(mid!.get(key)!) + 1e-9);
      expect(Math.abs(mid!.get(key)!), key).toBeLessThanOrEqual(Math.abs(high!.get(key)!) + 1e-9);
    }
    // The list did change with the variant: at least one figure grows from conservative to upper.
    expect(shared.some((key) => Math.abs(high!.get(key)!) > Math.abs(low!.get(key)!))).toBe(true);

    // Back to expected: already rendered on this page, so it shows again without a new render.
    let posted = 0;
    const count = (request: { method(): string; url(): string }) => {
      if (request.method() === 'POST' && request.url().includes('/simulations')) posted += 1;
    };
    page.on('request', count);
    await renderVariant('Expected');
    page.off('request', count);
    expect(posted).toBe(0);
  });

  it('renders at a lower intensity once the slider settles', async () => {
    const before = new Map((await listedChanges()).map((change) => [change.key, change.amount]));
    const slider = page.getByRole('slider', { name: /^Intensity/ });
    await slider.focus();
    for (let i = 0; i < 10; i += 1) await page.keyboard.press('ArrowLeft');
    expect(await slider.getAttribute('aria-valuetext')).toBe('50 %');
    await page.getByTestId('simulation-label').getByText(/50 % intensity/).waitFor({ timeout: RENDER_TIMEOUT });
    await settled('expected');
    const lower = await listedChanges();
    const key = lower.find((change) => before.has(change.key))?.key;
    expect(key).toBeDefined();
    expect(Math.abs(lower.find((change) => change.key === key)!.amount)).toBeLessThan(Math.abs(before.get(key!)!));
    await slider.focus();
    await page.keyboard.press('End');
    await page.getByTestId('simulation-label').getByText(/100 % intensity/).waitFor({ timeout: RENDER_TIMEOUT });
    await settled('expected');
  });

  it('shows one item alone', async () => {
    const lips = plan.current.suggested.items.find((item) => item.zoneId === 'upper_lip' || item.zoneId === 'lower_lip');
    const item = lips ?? plan.current.suggested.items[0]!;
    const choice = page.getByRole('group', { name: 'Show' }).locator(`input[type="radio"][value="${item.key}"]`);
    await choice.check();
    expect(await page.getByRole('radio', { name: /^Whole plan/ }).isChecked()).toBe(false);
    await page.getByTestId('simulation-label').getByText(item.productLabel, { exact: false }).waitFor({ timeout: RENDER_TIMEOUT });
    await settled('expected');
    const changes = await listedChanges();
    expect(changes.length).toBeGreaterThan(0);
    expect(new Set(changes.map((change) => change.zone))).toEqual(new Set([item.zoneId]));
    await page.screenshot({ path: join(SCREENSHOTS, 'simulation-one-item.png'), fullPage: true });
  });

  it("holds a change at the clinician's maximum for its zone", async () => {
    const lipsKey = (await listedChanges()).find((change) => change.key.endsWith(':vermilion_height'));
    // The item shown alone is the plan's lip filler (the intake asked for lip volume).
    if (!lipsKey) throw new Error('no vermilion change listed for the item shown');
    const zone = lipsKey.zone === 'upper_lip' ? 'Upper lip' : 'Lower lip';
    const limits = page.getByTestId('zone-limits');
    await limits.locator('summary').click();
    const field = limits.getByLabel(`${zone}, at most (mm)`);
    expect(await field.getAttribute('placeholder')).toMatch(/^\d/);
    const limit = Math.floor(Math.abs(lipsKey.amount) * 50) / 100;
    await field.fill(String(limit));
    await limits.getByRole('button', { name: 'Apply the maxima' }).click();
    const item = page.locator(`[data-testid="intended-change"][data-key="${lipsKey.key}"]`);
    await expect.poll(async () => Number(await item.getAttribute('data-amount')), { timeout: RENDER_TIMEOUT }).toBeCloseTo(limit, 6);
    await settled('expected');
    expect(await item.textContent()).toContain("Held at the zone's maximum");
  });

  it('downloads the labelled JPEG under a name without patient data', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download labelled image' }).click()]);
    const file = join(SCREENSHOTS, 'simulation-download.jpg');
    await download.saveAs(file);
    const bytes = readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(bytes.length).toBeGreaterThan(10_000);
    expect(download.suggestedFilename()).toMatch(/^simulation-expected-[0-9a-f]{8}\.jpg$/);
  });

  it('shows the latest simulation again when the page is opened again, without rendering anew', async () => {
    let posted = 0;
    const count = (request: { method(): string; url(): string }) => {
      if (request.method() === 'POST' && request.url().includes('/simulations')) posted += 1;
    };
    page.on('request', count);
    await page.reload();
    await settled('expected');
    page.off('request', count);
    expect(posted).toBe(0);
    const chosen = page.getByRole('group', { name: 'Show' }).locator('input[type="radio"]:checked');
    expect(await chosen.getAttribute('value')).not.toBe('');
    expect(await page.getByRole('group', { name: 'Variant' }).getByRole('button', { name: 'Expected' }).getAttribute('aria-pressed')).toBe('true');
    // Nothing scrolls sideways on a phone.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.setViewportSize({ width: 1024, height: 768 });
  });

  it('tells why there is nothing to show for a patient without simulation consent', async () => {
    await page.goto(`/patients/${unconsentedId}/plans/${unconsentedPlanId}`);
    await page.getByRole('link', { name: 'Simulate the outcome' }).click();
    const problem = page.getByTestId('consent-problem');
    await problem.waitFor();
    expect(await problem.textContent()).toContain('Consent required');
    expect(await problem.textContent()).toMatch(/simulation/i);
    expect(await problem.getByRole('link', { name: "Open the patient's consents" }).count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Expected' }).count()).toBe(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'simulation-no-consent.png'), fullPage: true });
  });

  it('had no script or console errors', () => {
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
