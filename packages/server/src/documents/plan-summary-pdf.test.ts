import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPS, getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  PROJECTION_DISCLAIMER,
  SECTION_HEADINGS,
  SIMULATION_CAPTION,
  renderPlanSummaryPdf,
  type PlanSummaryDocument,
  type PlanSummaryImage,
} from './plan-summary-pdf.js';
import { toWinAnsi } from './win-ansi.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const require = createRequire(import.meta.url);
// In Node, pdf.js reads the standard fonts with fs: a directory path with a trailing slash, not a file: URL.
const standardFontDataUrl = `${join(dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

/** A4 at 1.5× (108 dpi). */
const SCALE = 1.5;
const A4_PX = { width: Math.floor(595.28 * SCALE), height: Math.floor(841.89 * SCALE) };

/** pdf.js's canvas factory in Node (@napi-rs/canvas). */
interface NodeCanvasFactory {
  create(
    width: number,
    height: number,
  ): {
    canvas: { toBuffer(type: 'image/png'): Buffer };
    context: { getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray } };
  };
}

interface RenderedPage {
  number: number;
  /** The page's text in reading order, whitespace collapsed. */
  text: string;
  imageCount: number;
  png: Buffer;
  pngWidth: number;
  pngHeight: number;
  /** Standard deviation of the luminance over all pixels (0 for a blank page). */
  luminanceStdDev: number;
}

interface RenderedPdf {
  pages: RenderedPage[];
  info: Record<string, unknown>;
}

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Opens the PDF with pdf.js, renders every page to PNG and extracts its text and image count. */
async function renderPages(bytes: Buffer): Promise<RenderedPdf> {
  const pdf = await getDocument({ data: new Uint8Array(bytes), standardFontDataUrl, verbosity: 0 }).promise;
  try {
    const pages: RenderedPage[] = [];
    for (let number = 1; number <= pdf.numPages; number++) {
      const page = await pdf.getPage(number);
      const viewport = page.getViewport({ scale: SCALE });
      const width = Math.floor(viewport.width);
      const height = Math.floor(viewport.height);
      const { canvas, context } = (pdf.canvasFactory as NodeCanvasFactory).create(width, height);
      const params = { canvasContext: context, viewport, canvas } as unknown as Parameters<typeof page.render>[0];
      await page.render(params).promise;
      const pixels = context.getImageData(0, 0, width, height).data;
      let sum = 0;
      let sumSquares = 0;
      for (let index = 0; index < pixels.length; index += 4) {
        const luminance = 0.2126 * pixels[index]! + 0.7152 * pixels[index + 1]! + 0.0722 * pixels[index + 2]!;
        sum += luminance;
        sumSquares += luminance * luminance;
      }
      const count = pixels.length / 4;
      const mean = sum / count;
      const png = canvas.toBuffer('image/png');

      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if ('str' in item) text += `${item.str} `;
      }
      const operators = await page.getOperatorList();
      const imageCount = operators.fnArray.filter(
        (op) => op === OPS.paintImageXObject || op === OPS.paintInlineImageXObject,
      ).length;
      pages.push({
        number,
        text: normalise(text),
        imageCount,
        png,
        pngWidth: png.readUInt32BE(16),
        pngHeight: png.readUInt32BE(20),
        luminanceStdDev: Math.sqrt(Math.max(0, sumSquares / count - mean * mean)),
      });
      page.cleanup();
    }
    const metadata = await pdf.getMetadata();
    return { pages, info: metadata.info as Record<string, unknown> };
  } finally {
    await pdf.destroy();
  }
}

let faces: Buffer[] = [];

beforeAll(async () => {
  faces = await Promise.all(
    ['london-001-neutral', 'london-001-smiling', 'london-002-neutral', 'london-002-smiling'].map((name) =>
      readFile(join(root, 'fixtures/faces', `${name}.jpg`)),
    ),
  );
});

function photo(index: number, caption: string, kind: PlanSummaryImage['kind'] = 'photo'): PlanSummaryImage {
  return { caption, kind, jpeg: faces[index % faces.length]!, width: 1000, height: 1000 };
}

function planDocument(overrides: Partial<PlanSummaryDocument> = {}): PlanSummaryDocument {
  return {
    clinicName: 'Harley Street Aesthetics',
    clinicLocation: '12 Harley Street, London W1G 9PG',
    patientName: 'Renée Dubois',
    planTitle: 'Treatment plan, version 2',
    status: 'signed',
    signedBy: 'Dr Amelia Hart (GMC 7654321)',
    signedAt: '2025-03-12T15:42:10.000Z',
    generatedOn: '2025-03-12',
    currency: 'GBP',
    images: [
      photo(0, 'Front, relaxed'),
      photo(1, 'Front, smiling'),
      photo(0, 'Front, after the planned treatment', 'simulation'),
    ],
    areas: [
      {
        zone: 'Glabella',
        plainLanguage: 'The frown lines between your eyebrows',
        treatment: 'Botox Cosmetic (onabotulinumtoxinA)',
        amount: '20 units',
        offLabel: false,
      },
      {
        zone: 'Lateral canthal lines',
        plainLanguage: "Crow's feet at the outer corners of your eyes",
        treatment: 'Botox Cosmetic (onabotulinumtoxinA)',
        amount: '12 units per side',
        offLabel: false,
      },
      {
        zone: 'Forehead',
        plainLanguage: 'Horizontal lines across your forehead',
        treatment: 'Botox Cosmetic (onabotulinumtoxinA)',
        amount: '10 units',
        offLabel: true,
      },
      {
        zone: 'Midface',
        plainLanguage: 'Volume in the cheeks, which lifts the area under the eyes',
        treatment: 'Juvéderm Voluma (hyaluronic acid)',
        amount: '1 mL per side',
        offLabel: false,
      },
      {
        zone: 'Lips',
        plainLanguage: 'Gentle definition and hydration of the lips',
        treatment: 'Juvéderm Volbella (hyaluronic acid)',
        amount: '0.5 mL',
        offLabel: false,
      },
    ],
    visits: [
      {
        stage: 1,
        label: 'Muscle relaxing treatment',
        earliestDate: '2025-03-19',
        items: ['Glabella: 20 units', "Crow's feet: 12 units per side", 'Forehead: 10 units'],
        cost: 450,
      },
      {
        stage: 2,
        label: 'Cheek volume',
        earliestDate: '2025-04-02',
        items: ['Midface: 1 mL per side of Juvéderm Voluma'],
        cost: 1250,
      },
      {
        stage: 3,
        label: 'Lips and review',
        earliestDate: '2025-04-30',
        items: ['Lips: 0.5 mL of Juvéderm Volbella', 'Review of visits 1 and 2, with photos'],
        cost: 320.5,
      },
    ],
    totalCost: 2020.5,
    maintenance: [
      {
        treatment: 'Botox Cosmetic',
        areas: "Glabella, crow's feet, forehead",
        every: 'Every 3 to 4 months',
        firstReminder: '2025-06-19',
      },
      { treatment: 'Juvéderm Voluma', areas: 'Midface', every: 'Every 12 to 18 months', firstReminder: '2026-03-02' },
      { treatment: 'Juvéderm Volbella', areas: 'Lips', every: 'Every 9 to 12 months', firstReminder: '2026-01-30' },
    ],
    notes:
      'Avoid alcohol and blood-thinning painkillers for 24 hours before each visit.\n\nPlease arrive without make-up.',
    ...overrides,
  };
}

function expectWellFormed(pdf: RenderedPdf): void {
  expect(pdf.pages.length).toBeGreaterThan(0);
  for (const page of pdf.pages) {
    expect(page.png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect({ width: page.pngWidth, height: page.pngHeight }).toEqual(A4_PX);
    expect(page.luminanceStdDev, `page ${page.number} is blank`).toBeGreaterThan(5);
    expect(page.text, `page ${page.number} has a page line`).toContain(`Page ${page.number} of ${pdf.pages.length}`);
  }
  const all = pdf.pages.map((page) => page.text).join(' ');
  for (const heading of SECTION_HEADINGS) expect(all).toContain(heading);
  const disclaimer = normalise(PROJECTION_DISCLAIMER);
  for (const page of pdf.pages) {
    if (page.imageCount > 0) expect(page.text, `page ${page.number} has images`).toContain(disclaimer);
  }
  expect(pdf.pages.at(-1)!.text).toContain(disclaimer);
}

describe('renderPlanSummaryPdf', () => {
  it('renders a full summary: every page drawn, every section, costs in £, the disclaimer by every image', async () => {
    const bytes = await renderPlanSummaryPdf(planDocument());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const pdf = await renderPages(bytes);
    expectWellFormed(pdf);

    const outDir = await mkdtemp(join(tmpdir(), 'contour-plan-summary-'));
    await writeFile(join(outDir, 'plan-summary.pdf'), bytes);
    for (const page of pdf.pages) await writeFile(join(outDir, `page-${page.number}.png`), page.png);
    console.log(`plan summary: ${pdf.pages.length} pages written to ${outDir}`);

    const all = pdf.pages.map((page) => page.text).join(' ');
    // The three images are drawn, the simulation labelled as such.
    expect(pdf.pages.reduce((sum, page) => sum + page.imageCount, 0)).toBe(3);
    expect(all).toContain(SIMULATION_CAPTION);
    expect(all).toContain('Front, after the planned treatment');
    // Consultation details, with "é" intact.
    expect(all).toContain('Harley Street Aesthetics');
    expect(all).toContain('12 Harley Street, London W1G 9PG');
    expect(all).toContain('Renée Dubois');
    expect(all).toContain('Signed by Dr Amelia Hart (GMC 7654321) on 12 March 2025');
    expect(all).toContain('Prepared on 12 March 2025');
    // Areas in plain language, the off-label one marked and explained.
    expect(all).toContain('The frown lines between your eyebrows');
    expect(all).toContain("Crow's feet at the outer corners of your eyes");
    expect(all).toContain('Juvéderm Voluma (hyaluronic acid)');
    expect(all).toContain('Off-label use');
    // Visits with their earliest dates, costs per visit and the total, in pounds.
    expect(all).toContain('Earliest date: 19 March 2025');
    expect(all).toContain('Earliest date: 30 April 2025');
    for (const cost of ['£450.00', '£1,250.00', '£320.50', '£2,020.50']) expect(all).toContain(cost);
    expect(all).toMatch(/Total for this plan £2,020\.50/);
    // Maintenance with reminder dates, and the clinician's notes.
    expect(all).toContain('Every 3 to 4 months');
    expect(all).toContain('19 June 2025');
    expect(all).toContain('Please arrive without make-up.');
    // The sections come in order.
    const positions = SECTION_HEADINGS.map((heading) => all.indexOf(heading));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    // Deterministic: the dates come from generatedOn, so the same document gives the same bytes.
    expect(pdf.info.CreationDate).toBe("D:20250312000000Z");
    expect((await renderPlanSummaryPdf(planDocument())).equals(bytes)).toBe(true);
    // No patient details in the file's metadata.
    expect(JSON.stringify(pdf.info)).not.toContain('Dubois');
  });

  it('spreads many images over several pages, each with the disclaimer', async () => {
    const images = Array.from({ length: 7 }, (_, index) =>
      photo(index, `View ${index + 1}`, index % 3 === 2 ? 'simulation' : 'photo'),
    );
    const pdf = await renderPages(await renderPlanSummaryPdf(planDocument({ images })));
    expectWellFormed(pdf);
    const imagePages = pdf.pages.filter((page) => page.imageCount > 0);
    expect(imagePages.length).toBeGreaterThanOrEqual(3);
    expect(imagePages.reduce((sum, page) => sum + page.imageCount, 0)).toBe(7);
    for (let index = 1; index <= 7; index++) {
      expect(imagePages.some((page) => page.text.includes(`View ${index}`))).toBe(true);
    }
    // Every simulation keeps its label next to it, on the page it is on.
    for (const page of imagePages) {
      const simulations = (page.text.match(/SIMULATION/g) ?? []).length;
      expect((page.text.match(new RegExp(SIMULATION_CAPTION, 'g')) ?? []).length).toBe(simulations);
    }
  });

  it('says so when there are no photos, and prints the disclaimer only at the end', async () => {
    const draft = planDocument({ images: [], status: 'draft', signedBy: null, signedAt: null });
    const pdf = await renderPages(await renderPlanSummaryPdf(draft));
    expectWellFormed(pdf);
    expect(pdf.pages.every((page) => page.imageCount === 0)).toBe(true);
    const all = pdf.pages.map((page) => page.text).join(' ');
    expect(all).toContain('No photos were included.');
    expect(all).toContain('Draft: not yet signed by your clinician');
    for (const page of pdf.pages) expect(page.text).toContain('DRAFT');
    const disclaimer = normalise(PROJECTION_DISCLAIMER);
    expect(all.split(disclaimer).length - 1).toBe(1);
  });

  it('handles empty sections', async () => {
    const pdf = await renderPages(
      await renderPlanSummaryPdf(
        planDocument({
          images: [],
          areas: [],
          visits: [],
          maintenance: [],
          totalCost: 0,
          notes: null,
          clinicLocation: null,
        }),
      ),
    );
    expectWellFormed(pdf);
    const all = pdf.pages.map((page) => page.text).join(' ');
    expect(all).toContain('No treatment areas were recorded.');
    expect(all).toContain('No visits have been planned yet.');
    expect(all).toContain('No visits have been costed yet.');
    expect(all).toContain('Total for this plan £0.00');
    expect(all).toContain('No maintenance treatments are planned.');
    expect(all).not.toContain('Notes from your clinician');
  });

  it('copes with awkward text: long names, characters Helvetica lacks, long tables and notes', async () => {
    const longExplanation = Array.from({ length: 1500 }, (_, index) => `w${index + 1}`).join(' ');
    const longName = 'Anne-Sophie Marie-Thérèse Łukasiewicz-Øverland ' + 'Featherstonehaugh-'.repeat(8) + 'Smith';
    const doc = planDocument({
      clinicName: 'Clinique Esthétique du Boulevard Saint-Germain & Associés — Paris, Lyon, Marseille et Côte d’Azur',
      patientName: `${longName} 😊 王芳`,
      planTitle: 'Plan “Été” – version 3 → final ≥ 2 visits',
      currency: 'EUR',
      notes: Array.from(
        { length: 40 },
        (_, index) => `Note ${index + 1}: après le traitement, évitez le soleil et le sport intense pendant 48 heures.`,
      )
        .concat(`A single paragraph longer than a page: ${'keep this in mind, '.repeat(400)}the end.`)
        .join('\n\n'),
      areas: Array.from({ length: 30 }, (_, index) => ({
        zone: `Zone ${index + 1}`,
        // One explanation longer than a page, the others one unbreakable word over several lines.
        plainLanguage: index === 2 ? longExplanation : 'Supercalifragilisticexpialidocious'.repeat(4),
        treatment: 'Hyaluronic acid',
        amount: '0.5 mL',
        offLabel: index % 7 === 0,
      })),
      visits: [
        {
          stage: 1,
          label: 'A visit with many steps',
          earliestDate: 'after your review',
          items: Array.from({ length: 90 }, (_, index) => `Step ${index + 1} of the visit`),
          cost: 99999.99,
        },
      ],
      totalCost: 99999.99,
    });
    const bytes = await renderPlanSummaryPdf(doc);
    const pdf = await renderPages(bytes);
    expectWellFormed(pdf);
    const all = pdf.pages.map((page) => page.text).join(' ');
    expect(pdf.pages.length).toBeGreaterThanOrEqual(5);
    expect(all).toContain('Clinique Esthétique');
    expect(all).toContain('Anne-Sophie Marie-Thérèse Lukasiewicz-Øverland');
    expect(all).toContain('Plan “Été” – version 3 -> final >= 2 visits');
    expect(all).toContain('€99,999.99');
    // Every row and every step made it, across the page breaks, with the header repeated.
    for (let index = 1; index <= 30; index++) expect(all).toContain(`Zone ${index} `);
    for (let index = 1; index <= 90; index++) expect(all).toContain(`Step ${index} of the visit`);
    for (let index = 1; index <= 40; index++) expect(all).toContain(`Note ${index}:`);
    expect(all).toContain('keep this in mind, the end.');
    expect(all).toContain('Visit 1 (continued)');
    expect(all).toContain('Zone 3 (continued)');
    for (let index = 1; index <= 1500; index++) expect(all).toContain(` w${index} `);
    expect(pdf.pages.filter((page) => /Area Treatment Amount/.test(page.text)).length).toBeGreaterThanOrEqual(2);
    expect(all).toContain('after your review');
    // The characters Helvetica cannot print never reach the PDF as garbage.
    expect(all).not.toMatch(/[\u{1F600}-\u{1F64F}\u4e00-\u9fff]/u);
  });

  it('replaces an image that cannot be decoded with a note', async () => {
    const broken: PlanSummaryImage = {
      caption: 'Profile',
      kind: 'photo',
      jpeg: Buffer.from('not a jpeg'),
      width: 10,
      height: 10,
    };
    const truncated: PlanSummaryImage = { ...broken, caption: 'Oblique', jpeg: faces[0]!.subarray(0, 20) };
    const images = [broken, truncated, photo(2, 'Front')];
    const pdf = await renderPages(await renderPlanSummaryPdf(planDocument({ images })));
    expectWellFormed(pdf);
    const all = pdf.pages.map((page) => page.text).join(' ');
    expect(all.split('This image could not be shown.').length - 1).toBe(2);
    expect(pdf.pages.reduce((sum, page) => sum + page.imageCount, 0)).toBe(1);
  });

  it('rejects an undated document or a cost that is not a number, without patient details in the error', async () => {
    await expect(renderPlanSummaryPdf(planDocument({ generatedOn: 'yesterday' }))).rejects.toThrow(
      /^Plan summary: generatedOn must be an ISO date\.$/,
    );
    await expect(renderPlanSummaryPdf(planDocument({ totalCost: Number.NaN }))).rejects.toThrow(
      /^Plan summary: costs must be finite numbers\.$/,
    );
  });
});

describe('toWinAnsi', () => {
  it('keeps what WinAnsi encodes and maps or drops the rest', () => {
    expect(toWinAnsi('£1,250 – café “déjà vu” • €5 … Œuvre')).toBe('£1,250 – café “déjà vu” • €5 … Œuvre');
    expect(toWinAnsi('Łódź Dvořák Ștefan')).toBe('Lódz Dvorák Stefan');
    expect(toWinAnsi('≥ 2 → 3 ≤ 4, 5 μg, ﬁne')).toBe('>= 2 -> 3 <= 4, 5 µg, fine');
    expect(toWinAnsi('Zoë 😊 王芳\u200b!')).toBe('Zoë ??!');
    expect(toWinAnsi('a\tb\r\nc')).toBe('a b c');
    expect(toWinAnsi('one\r\n\r\n\r\n\r\ntwo', { multiline: true })).toBe('one\n\ntwo');
  });
});
