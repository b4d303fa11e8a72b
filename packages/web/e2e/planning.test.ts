/**
 * Treatment planning in a real browser against the real server, planner and face model: a clinician records a
 * consultation, gets a suggested plan from an analysed frontal photo, modifies, rejects, accepts and adds items,
 * signs, downloads the patient's summary PDF and finds every decision in the decision record with its reason,
 * the clinician's name and the hashes of what the suggestion was made from. A signed version cannot be changed
 * (no controls; the API answers 409); an owner cannot sign (no button; the API answers 403); the governance page
 * shows how the suggestions were weighed.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
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
const OWNER = { displayName: 'Dr Petra Owner', email: 'planning-owner@example.test', password: 'plans need a clinician' };
const CLINICIAN = {
  displayName: 'Dr Nia Injector',
  email: 'planning-clinician@example.test',
  password: 'every item is a decision',
  role: 'clinician',
  registrationNumber: 'GMC 1234567',
};
const ANALYSIS_TIMEOUT = 120_000;
const HEX64 = /^[0-9a-f]{64}$/;

interface Item {
  key: string;
  zoneId: string;
  side: string;
  productId: string;
  treatmentClass: string;
  dose: { min: number; max: number; unit: string };
  plannedAmount: number;
  stage: number;
}

interface Plan {
  id: string;
  current: {
    version: number;
    status: string;
    suggested: { items: Item[]; blocked: { zoneId: string }[] };
    final: { key: string; stage: number }[];
    provenance: { photoHashes: { photoId: string; sha256: string }[]; analysisHash: string | null; analysisMethod: string | null };
  };
}

interface Catalogue {
  catalogue: { products: { id: string; treatmentClass: string; active: boolean; unit: string; zones: { zoneId: string; min: number; max: number; label: string; perSide: boolean }[] }[] };
}

const PAIRED = new Set(['temple', 'brow', 'crows_feet', 'tear_trough', 'cheek', 'nasolabial', 'perioral', 'marionette', 'jawline']);

/** A new amount for an item, inside its range and different from the planned one. */
function otherAmount(item: Item): number {
  const step = item.dose.unit === 'mL' ? 0.1 : 1;
  const down = Math.round((item.plannedAmount - step) * 10) / 10;
  return down >= item.dose.min ? down : Math.round((item.plannedAmount + step) * 10) / 10;
}

/** How far the page is wider than a phone's screen (nothing may scroll sideways); the tablet size is restored. */
async function overflowOnPhone(page: Page): Promise<number> {
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.setViewportSize({ width: 1024, height: 768 });
  return overflow;
}

describe.skipIf(skipBrowserTests)('treatment planning in Chromium', () => {
  let clinic: TestClinic;
  let browser: Browser;
  let ownerContext: BrowserContext;
  let clinicianContext: BrowserContext;
  let page: Page;
  let owner: ClinicApi;
  let clinician: ClinicApi;
  let patientId = '';
  let photo: { id: string; sha256: string };
  let planId = '';
  let plan: Plan;
  const chosen: { modified?: Item; rejected?: Item; accepted: Item[]; addedZone?: string } = { accepted: [] };
  const pageErrors: string[] = [];

  const itemCard = (key: string): Locator => page.locator(`[data-testid="plan-item"][data-item-key="${key}"]`);

  beforeAll(async () => {
    clinic = await startClinic();
    browser = await launchBrowser();
    ownerContext = await tabletContext(browser, clinic.url);
    owner = await setUpClinic(ownerContext, 'Planning Clinic', OWNER);
    await owner.call('POST', '/api/users', CLINICIAN);
    clinicianContext = await tabletContext(browser, clinic.url);
    clinician = await signInApi(clinicianContext, CLINICIAN);
    page = await watchedPage(clinicianContext, pageErrors, 20_000);
    patientId = await createConsentedPatient(clinician, 'Maya', 'Thornton', ['clinical_photography', 'ai_analysis', 'treatment']);
    const session = await clinician.call<{ id: string }>('POST', `/api/patients/${patientId}/photo-sessions`, {});
    const uploaded = await clinician.upload<{ id: string }>(`/api/photo-sessions/${session.id}/photos?view=frontal`, readFileSync(NEUTRAL));
    photo = await waitForAnalysis(clinician, uploaded.id, ANALYSIS_TIMEOUT);
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, ANALYSIS_TIMEOUT + 60_000);

  afterAll(async () => {
    await clinicianContext?.close();
    await ownerContext?.close();
    await browser?.close();
    await clinic?.close();
  });

  it('records the consultation and shows the suggested plan made from the analysed photo', async () => {
    await page.goto(`/patients/${patientId}`);
    const panel = page.getByTestId('plans-panel');
    await panel.getByText('No treatment plans yet.').waitFor();
    await panel.getByRole('link', { name: 'New consultation' }).click();
    await page.getByRole('heading', { name: 'New consultation', level: 1 }).waitFor();

    await page.getByLabel("Concerns, in the patient's words").fill('I look tired and cross all the time, and my lips have got thinner.');
    for (const goal of ['Look less tired', 'Soften lines and wrinkles', 'Fuller or better-shaped lips', 'Restore volume in the cheeks', 'A more defined jaw and chin']) {
      await page.getByLabel(goal, { exact: true }).check();
    }
    await page.getByLabel('Balanced: refreshed but natural').check();
    await page.getByLabel('Up to a week is fine').check();
    // The newest analysed frontal photo is chosen by default.
    const photoChoice = page.getByTestId('plan-photo').getByRole('radio', { name: /^Frontal photo of / });
    await photoChoice.waitFor();
    expect(await photoChoice.isChecked()).toBe(true);
    await page.screenshot({ path: join(SCREENSHOTS, 'plan-intake.png'), fullPage: true });
    expect(await overflowOnPhone(page)).toBeLessThanOrEqual(0);
    await page.getByRole('button', { name: 'Suggest a plan' }).click();

    await page.waitForURL(/\/plans\/[0-9a-f-]{36}$/, { timeout: 60_000 });
    planId = new URL(page.url()).pathname.split('/').pop() ?? '';
    // Nothing about the patient in the address: ids only.
    expect(page.url()).not.toMatch(/Maya|Thornton/);
    await page.getByTestId('suggested-plan').waitFor();
    plan = await clinician.call<Plan>('GET', `/api/plans/${planId}`);
    expect(plan.current.status).toBe('draft');
    expect(plan.current.suggested.items.length).toBeGreaterThanOrEqual(3);
    expect(plan.current.provenance.photoHashes).toEqual([{ photoId: photo.id, sha256: photo.sha256 }]);
    expect(await page.getByTestId('plan-item').count()).toBe(plan.current.suggested.items.length);
    expect(await page.getByTestId('plan-status').textContent()).toContain('Draft');
    expect(await page.getByTestId('intake-summary').textContent()).toContain('I look tired and cross');
    // Every item shows its dose range, unit, the rationale and the cost.
    const first = plan.current.suggested.items[0]!;
    const firstCard = itemCard(first.key);
    expect(await firstCard.textContent()).toMatch(/Dose range.*(U|mL|session).*planned/);
    // Nobody can sign while items lack a decision.
    expect(await page.getByRole('button', { name: 'Sign plan' }).isDisabled()).toBe(true);
    expect(await page.getByTestId('review-problems').count()).toBe(1);
    await page.screenshot({ path: join(SCREENSHOTS, 'plan-draft.png'), fullPage: true });
  });

  it('modifies one item, rejects another, accepts the rest and adds one of its own', async () => {
    const items = plan.current.suggested.items;
    // Modify an item whose range leaves room for another amount; reject a different one.
    const modified = items.find((item) => item.dose.max > item.dose.min) ?? items[0]!;
    const rejected = items.find((item) => item.key !== modified.key)!;
    chosen.modified = modified;
    chosen.rejected = rejected;
    chosen.accepted = items.filter((item) => item.key !== modified.key && item.key !== rejected.key);

    const newAmount = otherAmount(modified);
    const modifyCard = itemCard(modified.key);
    await modifyCard.getByRole('button', { name: /^Modify/ }).click();
    const modifyForm = modifyCard.getByRole('form', { name: /^Modify/ });
    await modifyForm.getByLabel(/^Amount/).fill(String(newAmount));
    await modifyForm.getByLabel('Reason for the change').fill('Start lower: first treatment, review at two weeks.');
    await modifyForm.getByRole('button', { name: 'Save the change' }).click();
    await modifyCard.getByTestId('decision').getByText('Modified').waitFor();
    expect(await modifyCard.getByTestId('decision').textContent()).toContain(CLINICIAN.displayName);

    const rejectCard = itemCard(rejected.key);
    await rejectCard.getByRole('button', { name: /^Reject/ }).click();
    const rejectForm = rejectCard.getByRole('form', { name: /^Reject/ });
    // The reason is required.
    expect(await rejectForm.getByRole('button', { name: 'Reject the item' }).isDisabled()).toBe(true);
    await rejectForm.getByLabel('Reason for rejecting').fill('Patient prefers to wait with this area.');
    await rejectForm.getByRole('button', { name: 'Reject the item' }).click();
    await rejectCard.getByTestId('decision').getByText('Rejected').waitFor();

    for (const item of chosen.accepted) {
      const card = itemCard(item.key);
      await card.getByRole('button', { name: /^Accept/ }).click();
      await card.getByTestId('decision').getByText('Accepted').waitFor();
    }

    // An item of the clinician's own, in a zone the planner did not use, with an on-label dose.
    const catalogue = await clinician.call<Catalogue>('GET', '/api/catalogue');
    const used = new Set([...items.map((item) => item.zoneId), ...plan.current.suggested.blocked.map((item) => item.zoneId)]);
    const candidates = catalogue.catalogue.products
      .filter((product) => product.active && product.treatmentClass === 'ha_filler')
      .flatMap((product) => product.zones.filter((zone) => zone.label === 'on-label' && !used.has(zone.zoneId)).map((zone) => ({ product, zone })));
    const addition = candidates[0];
    expect(addition).toBeDefined();
    const { product, zone } = addition!;
    chosen.addedZone = zone.zoneId;
    const addForm = page.getByRole('form', { name: 'Add an item' });
    await addForm.getByLabel('Zone', { exact: true }).selectOption(zone.zoneId);
    await addForm.getByLabel('Side', { exact: true }).selectOption(PAIRED.has(zone.zoneId) ? 'right' : 'centre');
    await addForm.getByLabel('Product', { exact: true }).selectOption(product.id);
    await addForm.getByLabel(/^Amount/).fill(String(zone.min));
    await addForm.getByLabel('Visit', { exact: true }).selectOption('1');
    await addForm.getByLabel('Reason for adding it').fill('Asked for at the consultation; small correction.');
    await addForm.getByRole('button', { name: 'Add the item' }).click();
    await page.getByTestId('added-item').waitFor();
    expect(await page.getByTestId('added-item').textContent()).toContain('Asked for at the consultation');
  });

  it('signs the plan once every item has a decision', async () => {
    const sign = page.getByRole('button', { name: 'Sign plan' });
    await expect.poll(() => sign.isEnabled()).toBe(true);
    await sign.click();
    const signedBy = page.getByTestId('signed-by');
    await signedBy.waitFor();
    expect(await signedBy.textContent()).toContain(`Signed by ${CLINICIAN.displayName} (registration ${CLINICIAN.registrationNumber})`);
    expect(await page.getByTestId('plan-status').textContent()).toContain('Signed');
    await page.screenshot({ path: join(SCREENSHOTS, 'plan-signed.png'), fullPage: true });
    expect(await overflowOnPhone(page)).toBeLessThanOrEqual(0);
  });

  it('downloads the summary PDF', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download summary PDF' }).click()]);
    const file = join(SCREENSHOTS, 'plan-summary.pdf');
    await download.saveAs(file);
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.length).toBeGreaterThan(5_000);
    // The file name carries no patient data.
    expect(download.suggestedFilename()).toMatch(/^treatment-plan-v1\.pdf$/);
  });

  it('keeps the decision record: proposal, decision, reason, who, the final item and the provenance', async () => {
    const record = page.getByTestId('decision-record');
    const entry = (decision: string) => record.locator(`[data-testid="record-item"][data-decision="${decision}"]`);
    expect(await entry('modified').count()).toBe(1);
    expect(await entry('rejected').count()).toBe(1);
    expect(await entry('added').count()).toBe(1);
    expect(await entry('accepted').count()).toBe(chosen.accepted.length);

    const modified = (await entry('modified').textContent()) ?? '';
    expect(modified).toContain('AI proposal');
    expect(modified).toContain('Start lower: first treatment, review at two weeks.');
    expect(modified).toContain(CLINICIAN.displayName);
    expect(modified).toContain(String(otherAmount(chosen.modified!)));
    const rejected = (await entry('rejected').textContent()) ?? '';
    expect(rejected).toContain('Patient prefers to wait with this area.');
    expect(rejected).toContain('Not done.');
    const added = (await entry('added').textContent()) ?? '';
    expect(added).toContain('None: the clinician added this item.');
    expect(added).toContain('Asked for at the consultation; small correction.');
    expect(await entry('accepted').first().textContent()).toContain(CLINICIAN.displayName);

    const provenance = (await record.getByTestId('provenance').textContent()) ?? '';
    const signed = await clinician.call<Plan>('GET', `/api/plans/${planId}`);
    expect(signed.current.provenance.analysisHash).toMatch(HEX64);
    expect(provenance).toContain(photo.sha256);
    expect(provenance).toContain(signed.current.provenance.analysisHash);
    expect(provenance).toMatch(/Planner rules.*Face model.*Catalogue version/);
    expect(signed.current.provenance.analysisMethod).toMatch(/^contour-analysis\//);
    expect(provenance).toContain(`Analysis method${signed.current.provenance.analysisMethod}`);
  });

  it('cannot change a signed version: no controls, and the API answers 409', async () => {
    const suggested = page.getByTestId('suggested-plan');
    for (const name of [/^Accept/, /^Modify/, /^Reject/, /^Undo/]) {
      expect(await suggested.getByRole('button', { name }).count()).toBe(0);
    }
    expect(await page.getByRole('form', { name: 'Add an item' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sign plan' }).count()).toBe(0);
    const key = encodeURIComponent(chosen.accepted[0]?.key ?? chosen.modified!.key);
    const answer = await clinician.raw('PUT', `/api/plans/${planId}/versions/1/items/${key}/decision`, { decision: 'reject', reason: 'Too late.' });
    expect(answer.status).toBe(409);
  });

  it('records a visit against the signed plan and highlights the deviation', async () => {
    const section = page.getByTestId('treatments');
    await section.getByRole('button', { name: 'Record a visit' }).click();
    const form = section.getByRole('form', { name: 'Record a visit' });
    const lots = form.getByLabel(/^Lot number: /);
    const rows = await lots.count();
    expect(rows).toBeGreaterThan(0);
    for (let i = 0; i < rows; i += 1) {
      await lots.nth(i).fill(`LOT-${i + 1}`);
      await form.getByLabel(/^Expiry date: /).nth(i).fill('2030-01-31');
    }
    const amount = form.getByLabel(/^Amount \(/).first();
    const planned = Number(await amount.inputValue());
    await amount.fill(String(planned * 2));
    await form.getByLabel('Notes').fill('Tolerated well.');
    await form.getByRole('button', { name: 'Save the visit' }).click();
    const entry = section.getByTestId('treatment-record');
    await entry.waitFor();
    expect(await entry.textContent()).toContain('LOT-1');
    expect(await entry.getByTestId('deviations').textContent()).toContain('Different amount');
  });

  it('starts a new version from the signed one', async () => {
    await page.getByRole('button', { name: 'Start a new version' }).click();
    await expect.poll(async () => page.getByTestId('plan-status').textContent()).toContain('Draft');
    const versions = page.getByRole('combobox', { name: 'Version' });
    await versions.waitFor();
    expect(await versions.inputValue()).toBe('2');
    // The decisions carry over as the starting point of the new draft.
    expect(await itemCard(chosen.rejected!.key).getByTestId('decision').textContent()).toContain('Rejected');
    expect(await page.getByRole('button', { name: 'Sign plan' }).count()).toBe(1);
  });

  it('gives an owner no way to sign, and the API refuses them with 403', async () => {
    const ownerPage = await watchedPage(ownerContext, pageErrors, 20_000);
    await ownerPage.goto(`/patients/${patientId}`);
    const row = ownerPage.getByTestId('plans-panel').getByTestId('plan-row');
    await row.waitFor();
    expect(await row.textContent()).toContain('Version 2');
    await row.getByRole('link', { name: /^Open the plan of / }).click();
    await ownerPage.getByTestId('review-panel').waitFor();
    expect(await ownerPage.getByTestId('plan-status').textContent()).toContain('Draft');
    expect(await ownerPage.getByRole('button', { name: 'Sign plan' }).count()).toBe(0);
    expect(await ownerPage.getByTestId('suggested-plan').getByRole('button', { name: /^(Accept|Modify|Reject)/ }).count()).toBe(0);
    expect(await ownerPage.getByTestId('review-panel').textContent()).toContain('A clinician with a registration number');
    const answer = await owner.raw('POST', `/api/plans/${planId}/versions/2/sign`);
    expect(answer.status).toBe(403);
    await ownerPage.close();
  });

  it('shows the decision shares on the governance page', async () => {
    const ownerPage = await watchedPage(ownerContext, pageErrors, 20_000);
    await ownerPage.goto('/');
    await ownerPage.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'AI governance' }).click();
    await ownerPage.getByRole('heading', { name: 'AI governance', level: 1 }).waitFor();
    const overall = ownerPage.getByTestId('shares-overall');
    await overall.waitFor();
    const cell = (decision: string) => overall.locator(`[data-decision="${decision}"] [data-count]`);
    expect(await cell('accepted').getAttribute('data-count')).toBe(String(chosen.accepted.length));
    expect(await cell('modified').getAttribute('data-count')).toBe('1');
    expect(await cell('rejected').getAttribute('data-count')).toBe('1');
    expect(await cell('added').getAttribute('data-count')).toBe('1');
    expect(await ownerPage.getByTestId('shares-by-clinician').textContent()).toContain(CLINICIAN.displayName);
    // Reasons are counted normalised (case and end punctuation).
    expect(await ownerPage.getByTestId('top-reasons').textContent()).toContain('patient prefers to wait with this area');
    const questions = ownerPage.getByTestId('governance-question');
    expect(await questions.count()).toBe(5);
    expect(await ownerPage.getByTestId('governance-questions').textContent()).toContain('licensed clinician');
    await ownerPage.screenshot({ path: join(SCREENSHOTS, 'governance.png'), fullPage: true });
    await ownerPage.close();
  });

  it('had no script errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
