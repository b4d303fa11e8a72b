import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, startClinic, type TestClinic } from './helpers.js';

const DIR = '/tmp/contour-gallery';
describe('gallery', () => {
  let clinic: TestClinic; let browser: Browser; let page: Page;
  beforeAll(async () => {
    mkdirSync(DIR, { recursive: true });
    clinic = await startClinic(); browser = await launchBrowser();
    page = await (await browser.newContext({ baseURL: clinic.url, viewport: { width: 1024, height: 768 } })).newPage();
  });
  afterAll(async () => { await browser.close(); await clinic.close(); });
  it('shots', async () => {
    const shot = async (name: string) => {
      for (const [v, size] of [['tablet', { width: 1024, height: 768 }], ['phone', { width: 390, height: 844 }]] as const) {
        await page.setViewportSize(size); await page.waitForTimeout(150);
        await page.screenshot({ path: `${DIR}/${name}-${v}.png`, fullPage: true });
      }
      await page.setViewportSize({ width: 1024, height: 768 });
    };
    await page.goto('/'); await page.waitForURL('**/setup'); await shot('setup');
    await page.getByLabel('Clinic name').fill('Harbour Aesthetics');
    await page.getByLabel('First location').fill('Harbour Street');
    await page.getByLabel('Your name').fill('Olivia');
    await page.getByLabel('Email').fill('o@example.test');
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create clinic' }).click();
    await page.waitForTimeout(300); await shot('setup-error');
    await page.getByLabel('Password').fill('long enough password');
    await page.getByRole('button', { name: 'Create clinic' }).click();
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    await shot('patients-empty');
    await page.getByRole('link', { name: 'New patient' }).click(); await shot('new-patient');
    await page.getByLabel('Given name').fill('Amelia'); await page.getByLabel('Family name').fill('Hartley');
    await page.getByLabel('Sex').selectOption('female'); await page.getByLabel('How did they find us?').selectOption('instagram');
    await page.getByLabel('Email').fill('not-an-email@'); 
    await page.getByRole('button', { name: 'Register patient' }).click(); await page.waitForTimeout(300); await shot('new-patient-error');
    await page.getByLabel('Email').fill('a@example.test');
    await page.getByRole('button', { name: 'Register patient' }).click(); await page.getByTestId('patient-name').waitFor();
    await page.getByRole('button', { name: 'Record consent' }).click();
    const form = page.getByLabel('Consent form');
    await form.selectOption((await form.locator('option', { hasText: 'Treatment' }).getAttribute('value')) ?? '');
    await page.getByLabel("Patient's full name").fill('Someone Else');
    const box = (await page.getByTestId('signature-pad').boundingBox())!;
    await page.mouse.move(box.x + 20, box.y + 50); await page.mouse.down(); await page.mouse.move(box.x + 200, box.y + 120, { steps: 10 }); await page.mouse.up();
    await page.getByRole('button', { name: 'Sign and record consent' }).click(); await page.waitForTimeout(400);
    await shot('record-consent');
    await page.getByRole('button', { name: 'Edit details' }).click(); await shot('edit-patient');
    await page.goto('/patients'); await page.getByRole('link', { name: /Amelia/ }).waitFor(); await shot('patients');
    await page.goto('/users'); await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByLabel('Role').selectOption('clinician'); await shot('users-add');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: /Manage/ }).first().click(); await shot('users-manage');
    await page.goto('/settings'); await page.getByRole('heading', { name: 'Consent forms' }).waitFor(); await page.waitForTimeout(300); await shot('settings');
    await page.getByRole('button', { name: /Publish new version/ }).first().click(); await shot('settings-publish');
    await page.goto('/overview'); await page.getByText('How patients found us').waitFor(); await shot('overview');
    await page.getByRole('button', { name: 'Sign out' }).click(); await page.getByRole('heading', { name: 'Sign in to Contour' }).waitFor(); await shot('signin');
  });
});
