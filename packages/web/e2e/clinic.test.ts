/**
 * The clinic's first morning, in a real browser: set up, register a patient, take and withdraw a
 * consent, check the audit trail, add a front-desk colleague and see what they may not see.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, skipBrowserTests, startClinic, tabletContext, watchedPage, type TestClinic } from './helpers.js';

const OWNER = { name: 'Dr Olivia Owner', email: 'owner@example.test', password: 'correct horse battery' };
const FRONT_DESK = { name: 'Fran Desk', email: 'frontdesk@example.test', password: 'front desk password 1' };
const PATIENT = { given: 'Amelia', family: 'Hartley', dob: '1985-04-12', phone: '+44 20 7946 0123', email: 'amelia@example.test' };
const NOTES = 'Prefers a subtle result; bruises easily.';
const SCREENSHOTS = '/tmp/contour-screenshots';

describe.skipIf(skipBrowserTests)('clinic flow in Chromium', () => {
  let clinic: TestClinic;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let patientPath = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    clinic = await startClinic();
    browser = await launchBrowser();
    context = await tabletContext(browser, clinic.url);
    page = await watchedPage(context, pageErrors, 10_000);
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await clinic?.close();
  });

  async function signIn(email: string, password: string) {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }

  async function signOut() {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to Contour' }).waitFor();
  }

  const nav = () => page.getByRole('navigation', { name: 'Main' });

  it('first-run setup creates the clinic and signs the owner in', async () => {
    await page.goto('/');
    await page.waitForURL('**/setup');
    await page.getByLabel('Clinic name').fill('Harbour Aesthetics');
    await page.getByLabel('First location').fill('Harbour Street');
    await page.getByLabel('Your name').fill(OWNER.name);
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Create clinic' }).click();

    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    expect(await page.getByTestId('clinic-name').textContent()).toBe('Harbour Aesthetics');
    expect(await page.getByTestId('signed-in-user').textContent()).toContain(OWNER.name);
    for (const item of ['Patients', 'Overview', 'Users', 'Settings', 'Audit']) {
      expect(await nav().getByRole('link', { name: item }).count()).toBe(1);
    }
  });

  it('registers a patient with their medical history', async () => {
    await page.getByRole('link', { name: 'New patient' }).click();
    await page.getByLabel('Given name').fill(PATIENT.given);
    await page.getByLabel('Family name').fill(PATIENT.family);
    await page.getByLabel('Date of birth').fill(PATIENT.dob);
    await page.getByLabel('Sex').selectOption('female');
    await page.getByLabel('How did they find us?').selectOption('instagram');
    await page.getByLabel('Mobile phone').fill(PATIENT.phone);
    await page.getByLabel('Email').fill(PATIENT.email);
    await page.getByLabel('Lidocaine (local anaesthetic)').check();
    await page.getByLabel('Clinical notes').fill(NOTES);
    await page.getByRole('button', { name: 'Register patient' }).click();

    await page.getByTestId('patient-name').waitFor();
    expect(await page.getByTestId('patient-name').textContent()).toBe(`${PATIENT.given} ${PATIENT.family}`);
    expect(await page.getByTestId('medical-history').textContent()).toContain('Lidocaine');
    expect(await page.getByTestId('clinical-notes').textContent()).toBe(NOTES);
    patientPath = new URL(page.url()).pathname;
    expect(patientPath).toMatch(/^\/patients\/[0-9a-f-]{36}$/);
  });

  it('finds the patient by name and by date of birth without putting either in the address', async () => {
    await nav().getByRole('link', { name: 'Patients' }).click();
    const search = page.getByLabel('Find a patient');
    const row = page.getByRole('link', { name: `${PATIENT.given} ${PATIENT.family}` });

    await search.fill('hartley');
    await row.waitFor();
    await search.fill('12/04/1985');
    await page.getByTestId('patient-count').filter({ hasText: '1 patient' }).waitFor();
    await row.waitFor();
    await search.fill('nobody-by-this-name');
    await page.getByTestId('patient-count').filter({ hasText: 'No patients match.' }).waitFor();
    expect(page.url()).not.toMatch(/hartley|1985|nobody/i);
  });

  it('records a consent with a typed name and a drawn signature', async () => {
    await page.goto(patientPath);
    const capture = page.getByTestId('purpose-capture_photos').getByTestId('purpose-answer');
    await capture.waitFor();
    expect(await capture.textContent()).toBe('No');

    await page.getByRole('button', { name: 'Record consent' }).click();
    const form = page.getByLabel('Consent form');
    const option = form.locator('option', { hasText: 'Clinical photography' });
    await form.selectOption((await option.getAttribute('value')) ?? '');
    expect(await page.getByTestId('consent-text').textContent()).toContain('photographs');
    await page.getByLabel("Patient's full name").fill(`${PATIENT.given} ${PATIENT.family}`);

    const pad = page.getByTestId('signature-pad');
    await pad.scrollIntoViewIfNeeded();
    const box = await pad.boundingBox();
    if (!box) throw new Error('signature pad is not visible');
    await page.mouse.move(box.x + 30, box.y + box.height * 0.6);
    await page.mouse.down();
    for (let step = 1; step <= 20; step += 1) {
      await page.mouse.move(box.x + 30 + step * 12, box.y + box.height * (0.6 - 0.3 * Math.sin(step / 3)));
    }
    await page.mouse.up();

    await page.getByRole('button', { name: 'Sign and record consent' }).click();
    const entry = page.getByTestId('consent-entry').filter({ hasText: 'Clinical photography' });
    await entry.getByTestId('consent-state').filter({ hasText: 'In force' }).waitFor();
    await page.getByTestId('purpose-capture_photos').getByTestId('purpose-answer').filter({ hasText: 'Yes' }).waitFor();
    // Analysing photos also needs the AI consent, which was not given.
    expect(await page.getByTestId('purpose-analyse_photos').getByTestId('purpose-answer').textContent()).toBe('No');

    const signature = entry.getByRole('img', { name: `Signature of ${PATIENT.given} ${PATIENT.family}` });
    await signature.waitFor();
    await expect.poll(() => signature.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  });

  it('withdraws the consent with a reason, and the purpose is no longer allowed', async () => {
    const entry = page.getByTestId('consent-entry').filter({ hasText: 'Clinical photography' });
    await entry.getByRole('button', { name: 'Withdraw…' }).click();
    await entry.getByLabel('Reason for withdrawal').fill('Patient changed her mind at the front desk.');
    await entry.getByRole('button', { name: 'Withdraw consent' }).click();

    await entry.getByTestId('consent-state').filter({ hasText: 'Withdrawn' }).waitFor();
    expect(await entry.textContent()).toContain('Patient changed her mind');
    const capture = page.getByTestId('purpose-capture_photos');
    await capture.getByTestId('purpose-answer').filter({ hasText: 'No' }).waitFor();
    expect(await capture.textContent()).toContain('no consent in force for clinical photography');
  });

  it('uploads a document to the patient and lists it for download', async () => {
    const files = page.getByTestId('files-panel');
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
    await files.getByLabel('Upload a document').setInputFiles({ name: 'referral.pdf', mimeType: 'application/pdf', buffer: pdf });
    await files.getByRole('button', { name: 'Upload', exact: true }).click();
    const row = files.getByRole('row').filter({ hasText: 'Document' });
    await row.waitFor();
    expect(await row.getByRole('link', { name: 'Download' }).getAttribute('href')).toMatch(/^\/api\/patients\/[0-9a-f-]{36}\/files\/[0-9a-f-]{36}\/content$/);
  });

  it('archives and restores the patient', async () => {
    await page.getByRole('button', { name: 'Archive patient' }).click();
    await page.getByTestId('archived-badge').waitFor();
    await page.getByTestId('purpose-treat').filter({ hasText: 'archived' }).waitFor();
    expect(await page.getByRole('button', { name: 'Record consent' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Restore patient' }).click();
    await page.getByRole('button', { name: 'Archive patient' }).waitFor();
    expect(await page.getByTestId('archived-badge').count()).toBe(0);
  });

  it('lists those events in the audit browser and the chain verifies', async () => {
    await nav().getByRole('link', { name: 'Audit' }).click();
    await page.getByTestId('audit-table').waitFor();
    for (const event of ['patient.create', 'consent.record', 'consent.withdraw']) {
      expect(await page.locator(`[data-testid="audit-row"][data-event="${event}"]`).count()).toBeGreaterThan(0);
    }
    const events = await page.getByTestId('audit-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-event')));
    // Newest first: the withdrawal comes before the consent it withdrew.
    expect(events.indexOf('consent.withdraw')).toBeLessThan(events.indexOf('consent.record'));

    await page.getByLabel('Event starts with').fill('consent.');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect
      .poll(async () => {
        const shown = await page.getByTestId('audit-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-event')));
        return shown.length > 0 && shown.every((event) => event?.startsWith('consent.'));
      })
      .toBe(true);

    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByTestId('verify-result').filter({ hasText: 'Chain intact' }).waitFor();
    expect(await page.getByTestId('verify-result').textContent()).toContain('Its head is now recorded outside the database');
    // The first check recorded the head; the next one checks the chain still reaches it.
    await page.getByRole('button', { name: 'Verify chain' }).click();
    await page.getByTestId('verify-result').filter({ hasText: 'so none of the newest entries were deleted' }).waitFor();
    expect(await page.getByTestId('verify-result').textContent()).toMatch(/Chain intact: \d+ entries checked\. It reaches entry \d+, recorded outside the database on /);
  });

  it('looks clean on a 10-inch tablet and on a phone', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    for (const [name, viewport] of [
      ['tablet', { width: 1024, height: 768 }],
      ['phone', { width: 390, height: 844 }],
    ] as const) {
      await page.setViewportSize(viewport);
      await page.goto(patientPath);
      await page.getByTestId('consent-entry').first().waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, `patient-${name}.png`), fullPage: true });
      await page.screenshot({ path: join(SCREENSHOTS, `patient-${name}-top.png`) });
      await nav().getByRole('link', { name: 'Audit' }).click();
      await page.getByTestId('audit-table').waitFor();
      await page.screenshot({ path: join(SCREENSHOTS, `audit-${name}.png`), fullPage: true });
      await page.screenshot({ path: join(SCREENSHOTS, `audit-${name}-top.png`) });
      await page.getByTestId('audit-row').first().evaluate((row) => row.scrollIntoView());
      await page.screenshot({ path: join(SCREENSHOTS, `audit-${name}-rows.png`) });
      // Nothing may force the page wider than the screen; wide tables scroll inside their own box.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
    }
    await page.setViewportSize({ width: 1024, height: 768 });
  });

  it('adds a front-desk colleague through the users page', async () => {
    await nav().getByRole('link', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByLabel('Name').fill(FRONT_DESK.name);
    await page.getByLabel('Email').fill(FRONT_DESK.email);
    await page.getByLabel('Role').selectOption('staff');
    await page.getByLabel('Temporary password').fill(FRONT_DESK.password);
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByTestId('user-row').filter({ hasText: FRONT_DESK.email }).waitFor();
    expect(await page.getByTestId('user-row').filter({ hasText: FRONT_DESK.email }).textContent()).toContain('Front desk');
  });

  it('erases a patient only after the family name is typed', async () => {
    await nav().getByRole('link', { name: 'Patients' }).click();
    await page.getByRole('link', { name: 'New patient' }).click();
    await page.getByLabel('Given name').fill('Temporary');
    await page.getByLabel('Family name').fill('Duplicate');
    await page.getByLabel('Sex').selectOption('not_stated');
    await page.getByLabel('How did they find us?').selectOption('walk_in');
    await page.getByRole('button', { name: 'Register patient' }).click();
    await page.getByTestId('patient-name').filter({ hasText: 'Temporary Duplicate' }).waitFor();

    await page.getByRole('button', { name: 'Erase patient…' }).click();
    const confirm = page.getByLabel('Type the family name');
    const erase = page.getByRole('button', { name: 'Erase permanently' });
    await confirm.fill('Hartley');
    expect(await erase.isDisabled()).toBe(true);
    await confirm.fill('Duplicate');
    await erase.click();
    await page.getByRole('status').filter({ hasText: 'The patient has been erased' }).waitFor();
    await page.getByTestId('erased-badge').waitFor();
    expect(await page.getByRole('button', { name: 'Edit details' }).count()).toBe(0);
  });

  it('signs out and back in', async () => {
    await signOut();
    await signIn(OWNER.email, 'not the password at all');
    await page.getByTestId('problem').waitFor();
    await signIn(OWNER.email, OWNER.password);
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    expect(await page.getByTestId('signed-in-user').textContent()).toContain(OWNER.name);
  });

  it('shows the front desk neither management pages nor clinical notes', async () => {
    await signOut();
    await signIn(FRONT_DESK.email, FRONT_DESK.password);
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    expect(await page.getByTestId('signed-in-user').textContent()).toContain('Front desk');
    expect(await nav().getByRole('link', { name: 'Patients' }).count()).toBe(1);
    for (const item of ['Users', 'Audit', 'Settings', 'Overview']) {
      expect(await nav().getByRole('link', { name: item }).count()).toBe(0);
    }

    await page.goto(patientPath);
    await page.getByTestId('patient-name').waitFor();
    await page.getByTestId('consents-panel').waitFor();
    expect(await page.getByTestId('clinical-notes').count()).toBe(0);
    expect(await page.locator('body').textContent()).not.toContain(NOTES);
    expect(await page.getByTestId('files-panel').count()).toBe(0);
    await page.getByRole('button', { name: 'Edit details' }).click();
    await page.getByTestId('patient-form').waitFor();
    expect(await page.getByLabel('Clinical notes').count()).toBe(0);

    // Following an old link to a management page explains instead of failing.
    await page.goto('/audit');
    await page.getByRole('heading', { name: 'Not available' }).waitFor();
  });

  it('raised no uncaught errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
