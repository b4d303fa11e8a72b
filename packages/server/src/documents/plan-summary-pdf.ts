/**
 * The patient's plan summary (issue 5): an A4 PDF a clinic hands to the patient after the consultation.
 * It says who, where and when, shows the consultation photos (and simulations, clearly labelled), the areas
 * discussed in plain language, the visits, the costs, the maintenance that keeps the result, and what the
 * patient should know: the analysis and simulations are projections, not guarantees.
 *
 * Layout is done here, not by PDFKit's text flow: every block is measured first and moved to a new page when
 * it does not fit, tables repeat their header on the next page and rows taller than a page are split
 * between paragraphs. Every page carrying an image gets the projection disclaimer in its footer; the last
 * page ends with it in the "Important" section. Only PDFKit's built-in Helvetica is used (nothing is read
 * from disk or downloaded), so all text goes through `toWinAnsi`. The output is deterministic: the PDF's
 * dates come from `generatedOn`, so the same document renders to the same bytes. Nothing is logged.
 */
import PDFDocument from 'pdfkit';
import { toWinAnsi } from './win-ansi.js';

export interface PlanSummaryImage {
  caption: string;
  kind: 'photo' | 'simulation';
  jpeg: Buffer;
  width: number;
  height: number;
}

export interface PlanSummaryDocument {
  clinicName: string;
  clinicLocation?: string | null;
  patientName: string;
  /** e.g. "Treatment plan, version 2". */
  planTitle: string;
  status: 'draft' | 'signed';
  /** The clinician's display name and registration number, when signed. */
  signedBy: string | null;
  /** ISO date, or timestamp (the calendar date it is written with is the one shown): the clinic's date, not UTC's. */
  signedAt: string | null;
  /** ISO date (or timestamp): shown on the document and used as the PDF's creation date. */
  generatedOn: string;
  /** ISO 4217 code, e.g. "GBP"; amounts are in major units (450 = £450.00). */
  currency: string;
  /** Consultation photos and simulations; may be empty. */
  images: PlanSummaryImage[];
  /** The zones addressed, in plain language. */
  areas: { zone: string; plainLanguage: string; treatment: string; amount: string; offLabel: boolean }[];
  visits: { stage: number; label: string; earliestDate: string; items: string[]; cost: number }[];
  totalCost: number;
  maintenance: { treatment: string; areas: string; every: string; firstReminder: string }[];
  notes?: string | null;
}

export const PROJECTION_DISCLAIMER =
  'The facial analysis and any simulated images are projections, not guarantees: the analysis is an AI-assisted ' +
  'estimate made from your photographs, and a simulation shows one possible result, not a guaranteed outcome. ' +
  'Results vary from person to person, and your clinician decides your final treatment with you.';

export const SIMULATION_CAPTION = 'Simulated projection, not a guaranteed outcome';

export const SECTION_HEADINGS = [
  'Your consultation',
  'Photos',
  'Areas we discussed',
  'Your visits',
  'Costs',
  'Maintenance',
  'Important',
] as const;

// ---------------------------------------------------------------------------------------------------------
// Page geometry (points; A4 is 595.28 × 841.89) and style.

const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const LEFT = 50;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * LEFT;
const TOP = 76;
/** Space under the content for the page line. */
const FOOTER = 56;
const PAGE_LINE_Y = PAGE_HEIGHT - 36;
const DISCLAIMER_FOOTER_SIZE = 7.5;
const DISCLAIMER_PAD = 7;
const CELL_PAD_X = 6;
const CELL_PAD_Y = 5;
const PARAGRAPH_GAP = 2;
const BULLET_INDENT = 10;
const LINE_GAP = 1.5;
const PHOTO_GAP = 14;
const PHOTO_MAX_BOX = 250;
const PHOTO_MIN_BOX = 120;
const CAPTION_MAX_HEIGHT = 48;

const COLOR = {
  text: '#1f2933',
  muted: '#5f6b76',
  accent: '#0f5f66',
  rule: '#d5dbe0',
  fill: '#f2f4f6',
  imageBox: '#e9edf0',
  note: '#eef5f5',
  amber: '#a1490a',
  amberFill: '#fdf1e4',
  signed: '#1d6b3a',
};

const FONT = { regular: 'Helvetica', bold: 'Helvetica-Bold', italic: 'Helvetica-Oblique' } as const;

interface TextStyle {
  font: (typeof FONT)[keyof typeof FONT];
  size: number;
  color: string;
}

const STYLE = {
  body: { font: FONT.regular, size: 10, color: COLOR.text },
  strong: { font: FONT.bold, size: 10, color: COLOR.text },
  muted: { font: FONT.regular, size: 9, color: COLOR.muted },
  label: { font: FONT.regular, size: 9, color: COLOR.muted },
  tableHeader: { font: FONT.bold, size: 8.5, color: COLOR.muted },
  caption: { font: FONT.bold, size: 9, color: COLOR.text },
  captionNote: { font: FONT.regular, size: 8, color: COLOR.muted },
  simulationNote: { font: FONT.bold, size: 8, color: COLOR.amber },
  footnote: { font: FONT.regular, size: 8.5, color: COLOR.muted },
  disclaimer: { font: FONT.regular, size: 9.5, color: COLOR.text },
  footerDisclaimer: { font: FONT.regular, size: DISCLAIMER_FOOTER_SIZE, color: COLOR.text },
  pageLine: { font: FONT.regular, size: 8, color: COLOR.muted },
  heading: { font: FONT.bold, size: 13, color: COLOR.accent },
  title: { font: FONT.bold, size: 22, color: COLOR.text },
  subtitle: { font: FONT.regular, size: 12, color: COLOR.muted },
} satisfies Record<string, TextStyle>;

interface Para {
  text: string;
  style: TextStyle;
  bullet?: boolean;
  align?: 'left' | 'right';
}

interface Column {
  header: string;
  width: number;
  align?: 'left' | 'right';
}

interface Row {
  cells: Para[][];
  fill?: string;
  /** A heavier rule above the row (a total). */
  ruleAbove?: boolean;
  /** Shown in the first cell of the part of a split row that continues on the next page. */
  continuedLabel?: string;
}

type Doc = PDFKit.PDFDocument;

// ---------------------------------------------------------------------------------------------------------
// Formatting.

function text(value: string | null | undefined): string {
  return toWinAnsi(value ?? '');
}

function paragraphs(value: string | null | undefined): string[] {
  return toWinAnsi(value ?? '', { multiline: true })
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== '');
}

const DATE_FORMAT = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** The calendar date an ISO string is written with (its own offset, not the server's), or null. */
function isoDate(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/.exec(value.trim());
  if (!match) return null;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return Number.isNaN(date.getTime()) || date.getUTCDate() !== Number(match[3]) ? null : date;
}

/** "14 April 2025"; anything that is not an ISO date is shown as written. Captions use it too. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  const date = isoDate(value);
  return date ? DATE_FORMAT.format(date) : text(value);
}

function moneyFormatter(currency: string): (amount: number) => string {
  const code = currency.trim().toUpperCase();
  let symbol: Intl.NumberFormat;
  try {
    symbol = new Intl.NumberFormat('en-GB', { style: 'currency', currency: code });
  } catch {
    // Not an ISO 4217 code: show the amount with the code as given.
    const plain = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    return (amount) => `${plain.format(amount)} ${text(code)}`.trim();
  }
  // A symbol Helvetica cannot print (₹, ₩...) would vanish: use the code instead ("INR 1,250.00").
  const usesSymbol = toWinAnsi(symbol.format(1)) === symbol.format(1);
  const formatter = usesSymbol
    ? symbol
    : new Intl.NumberFormat('en-GB', { style: 'currency', currency: code, currencyDisplay: 'code' });
  return (amount) => text(formatter.format(amount));
}

function creationDate(generatedOn: string): Date {
  const trimmed = generatedOn.trim();
  const date = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? isoDate(trimmed) : new Date(trimmed);
  if (!date || Number.isNaN(date.getTime())) {
    throw new TypeError('Plan summary: generatedOn must be an ISO date.');
  }
  return date;
}

function checkAmounts(doc: PlanSummaryDocument): void {
  const amounts = [doc.totalCost, ...doc.visits.map((visit) => visit.cost)];
  if (!amounts.every((amount) => Number.isFinite(amount))) {
    throw new TypeError('Plan summary: costs must be finite numbers.');
  }
}

// ---------------------------------------------------------------------------------------------------------
// The renderer.

class PlanSummaryRenderer {
  private readonly pdf: Doc;
  private readonly money: (amount: number) => string;
  /** Pages (0-based) that carry at least one image: they get the disclaimer in the footer. */
  private readonly imagePages = new Set<number>();
  /** The page whose "Important" section prints the disclaimer in full. */
  private importantPage = -1;
  /** The bottom margin of a page with images: room for the disclaimer above the page line. */
  private footerWithDisclaimer = FOOTER;

  constructor(private readonly doc: PlanSummaryDocument) {
    const created = creationDate(doc.generatedOn);
    this.money = moneyFormatter(doc.currency);
    this.pdf = new PDFDocument({
      size: 'A4',
      margins: { top: TOP, bottom: FOOTER, left: LEFT, right: LEFT },
      bufferPages: true,
      autoFirstPage: false,
      lang: 'en-GB',
      displayTitle: true,
      pdfVersion: '1.7',
      info: {
        // No patient details in the metadata: file properties are shown and indexed in places the page is not.
        Title: 'Treatment plan summary',
        Subject: text(doc.planTitle),
        Author: text(doc.clinicName),
        Creator: 'Contour',
        Producer: 'Contour (PDFKit)',
        CreationDate: created,
        ModDate: created,
      },
    });
  }

  async render(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    const done = new Promise<Buffer>((resolve, reject) => {
      this.pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
      this.pdf.on('end', () => resolve(Buffer.concat(chunks)));
      this.pdf.on('error', reject);
    });
    this.newPage();
    this.footerWithDisclaimer = FOOTER + this.footerDisclaimerHeight() + 8;
    this.titleBlock();
    this.consultation();
    this.photos();
    this.areas();
    this.visits();
    this.costs();
    this.maintenance();
    this.important();
    this.pageFurniture();
    this.pdf.end();
    return done;
  }

  // --- pages -----------------------------------------------------------------------------------------------

  private get pageIndex(): number {
    const range = this.pdf.bufferedPageRange();
    return range.start + range.count - 1;
  }

  private get bottom(): number {
    return this.pdf.page.height - this.pdf.page.margins.bottom;
  }

  private get atTopOfPage(): boolean {
    return this.pdf.y <= TOP + 0.5;
  }

  /** The height a block can have on a fresh page (without images). */
  private get freshPageHeight(): number {
    return PAGE_HEIGHT - TOP - FOOTER;
  }

  private newPage(): void {
    this.pdf.addPage();
    this.pdf.x = LEFT;
    this.pdf.y = TOP;
  }

  /** Starts a new page unless `height` fits under the current position. Returns true on a new page. */
  private ensure(height: number): boolean {
    if (this.pdf.y + height <= this.bottom || this.atTopOfPage) return false;
    this.newPage();
    return true;
  }

  private markImagePage(): void {
    this.imagePages.add(this.pageIndex);
    this.pdf.page.margins.bottom = this.footerWithDisclaimer;
  }

  // --- text ------------------------------------------------------------------------------------------------

  private use(style: TextStyle): void {
    this.pdf.font(style.font).fontSize(style.size).fillColor(style.color);
  }

  private measure(para: Para, width: number): number {
    this.use(para.style);
    const textWidth = para.bullet ? width - BULLET_INDENT : width;
    return this.pdf.heightOfString(para.text === '' ? ' ' : para.text, { width: textWidth, lineGap: LINE_GAP });
  }

  private measureAll(paras: Para[], width: number): number {
    return paras.reduce((sum, para, index) => sum + this.measure(para, width) + (index > 0 ? PARAGRAPH_GAP : 0), 0);
  }

  /**
   * Draws a paragraph at (x, y) within `height` (PDFKit never starts a page itself: the layout decides).
   * `clip` adds an ellipsis when the text is taller than `height`.
   */
  private draw(para: Para, x: number, y: number, width: number, height: number, clip = false): void {
    this.use(para.style);
    let textX = x;
    let textWidth = width;
    if (para.bullet) {
      this.pdf.text('\u2022', x, y, { width: BULLET_INDENT, height: height + 2, lineBreak: false });
      textX += BULLET_INDENT;
      textWidth -= BULLET_INDENT;
    }
    this.pdf.text(para.text, textX, y, {
      width: textWidth,
      height: height + 2,
      lineGap: LINE_GAP,
      align: para.align ?? 'left',
      ...(clip ? { ellipsis: true } : {}),
    });
  }

  /** A block of paragraphs across the full width, kept together when it fits on a page. */
  private block(paras: Para[], gapAfter = 6): void {
    for (const para of paras) {
      const height = this.measure(para, CONTENT_WIDTH);
      if (height <= this.freshPageHeight) {
        this.ensure(height);
        const y = this.pdf.y;
        this.draw(para, LEFT, y, CONTENT_WIDTH, height);
        this.pdf.y = y + height + PARAGRAPH_GAP;
      } else {
        this.flow(para);
      }
    }
    this.pdf.y += gapAfter - PARAGRAPH_GAP;
    this.pdf.x = LEFT;
  }

  /** A paragraph longer than a page: PDFKit's own flow, which breaks pages at the margins. */
  private flow(para: Para): void {
    this.use(para.style);
    this.ensure(this.pdf.currentLineHeight(true) * 3);
    this.pdf.text(para.text, LEFT, this.pdf.y, { width: CONTENT_WIDTH, lineGap: LINE_GAP });
    this.pdf.x = LEFT;
    this.pdf.y += PARAGRAPH_GAP;
  }

  /** Truncates a one-line text to `width` with an ellipsis. */
  private fitLine(value: string, style: TextStyle, width: number): string {
    this.use(style);
    if (this.pdf.widthOfString(value) <= width) return value;
    let low = 0;
    let high = value.length;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (this.pdf.widthOfString(`${value.slice(0, mid).trimEnd()}\u2026`) <= width) low = mid;
      else high = mid - 1;
    }
    return `${value.slice(0, low).trimEnd()}\u2026`;
  }

  private heading(title: (typeof SECTION_HEADINGS)[number], keepWith = 60): void {
    this.use(STYLE.heading);
    const height = this.pdf.currentLineHeight(true) + 8;
    if (!this.atTopOfPage) this.pdf.y += 16;
    this.ensure(height + keepWith);
    // A new page starts with a fresh graphics state: the style is set again.
    this.use(STYLE.heading);
    const y = this.pdf.y;
    this.pdf.text(title, LEFT, y, { width: CONTENT_WIDTH, height, lineBreak: false });
    const ruleY = y + this.pdf.currentLineHeight(true) + 3;
    this.pdf.moveTo(LEFT, ruleY).lineTo(LEFT + CONTENT_WIDTH, ruleY).lineWidth(0.75).strokeColor(COLOR.accent).stroke();
    this.pdf.y = ruleY + 8;
    this.pdf.x = LEFT;
  }

  // --- tables ----------------------------------------------------------------------------------------------

  private cellWidth(column: Column): number {
    return column.width - 2 * CELL_PAD_X;
  }

  private rowHeight(columns: Column[], row: Row): number {
    const heights = row.cells.map((cell, index) => {
      const column = columns[index];
      return column && cell.length > 0 ? this.measureAll(cell, this.cellWidth(column)) : 0;
    });
    return Math.max(0, ...heights) + 2 * CELL_PAD_Y;
  }

  private headerRow(columns: Column[]): Row {
    return {
      cells: columns.map((column) => [
        { text: column.header, style: STYLE.tableHeader, align: column.align ?? 'left' },
      ]),
      fill: COLOR.fill,
    };
  }

  private drawRow(columns: Column[], row: Row, height: number, rules: boolean): void {
    const y = this.pdf.y;
    if (row.fill) {
      this.pdf.rect(LEFT, y, CONTENT_WIDTH, height).fillColor(row.fill).fill();
    }
    if (row.ruleAbove) {
      this.pdf.moveTo(LEFT, y).lineTo(LEFT + CONTENT_WIDTH, y).lineWidth(1).strokeColor(COLOR.muted).stroke();
    }
    let x = LEFT;
    row.cells.forEach((cell, index) => {
      const column = columns[index];
      if (!column) return;
      let cellY = y + CELL_PAD_Y;
      const width = this.cellWidth(column);
      for (const para of cell) {
        const measured = this.measure(para, width);
        const paraHeight = Math.min(measured, y + height - CELL_PAD_Y - cellY);
        if (paraHeight <= 0) break;
        const aligned = { ...para, align: para.align ?? column.align ?? 'left' };
        this.draw(aligned, x + CELL_PAD_X, cellY, width, paraHeight, paraHeight < measured);
        cellY += paraHeight + PARAGRAPH_GAP;
      }
      x += column.width;
    });
    if (rules) {
      const ruleY = y + height;
      this.pdf.moveTo(LEFT, ruleY).lineTo(LEFT + CONTENT_WIDTH, ruleY).lineWidth(0.5).strokeColor(COLOR.rule).stroke();
    }
    this.pdf.y = y + height;
    this.pdf.x = LEFT;
  }

  /**
   * A table: the header repeats on every page it continues on; a row moves to the next page whole when it
   * fits on one, otherwise it is split between paragraphs (a single paragraph taller than a page is clipped).
   */
  private table(columns: Column[], rows: Row[], options: { header?: boolean; rules?: boolean } = {}): void {
    const showHeader = options.header ?? true;
    const rules = options.rules ?? true;
    const header = this.headerRow(columns);
    const headerHeight = showHeader ? this.rowHeight(columns, header) : 0;
    const drawHeader = (): void => {
      if (showHeader) this.drawRow(columns, header, headerHeight, false);
    };
    const firstHeight = rows[0] ? this.rowHeight(columns, rows[0]) : 0;
    this.ensure(headerHeight + Math.min(firstHeight, 80));
    drawHeader();

    for (const row of rows) {
      let pending: Row | null = row;
      while (pending) {
        const height = this.rowHeight(columns, pending);
        if (this.pdf.y + height <= this.bottom) {
          this.drawRow(columns, pending, height, rules);
          pending = null;
          continue;
        }
        const freshRoom = this.freshPageHeight - headerHeight;
        const room = this.bottom - this.pdf.y - 2 * CELL_PAD_Y;
        if (height <= freshRoom || room < 40) {
          this.newPage();
          drawHeader();
          if (height > freshRoom) pending = this.splitAndDraw(columns, pending, rules);
          continue;
        }
        pending = this.splitAndDraw(columns, pending, rules);
        if (pending) {
          this.newPage();
          drawHeader();
        }
      }
    }
    this.pdf.y += 4;
  }

  /** Draws as much of `row` as fits on this page; returns the rest, or null. */
  private splitAndDraw(columns: Column[], row: Row, rules: boolean): Row | null {
    const room = this.bottom - this.pdf.y - 2 * CELL_PAD_Y;
    const now: Para[][] = [];
    const later: Para[][] = [];
    let anyLater = false;
    const topOfRoom = this.atTopOfRoom();
    row.cells.forEach((cell, index) => {
      const column = columns[index];
      const width = column ? this.cellWidth(column) : 0;
      const taken: Para[] = [];
      let rest: Para[] = [];
      let used = 0;
      for (let at = 0; at < cell.length; at++) {
        const para = cell[at] as Para;
        const gap = taken.length > 0 ? PARAGRAPH_GAP : 0;
        const height = this.measure(para, width);
        if (used + gap + height <= room) {
          taken.push(para);
          used += gap + height;
          continue;
        }
        // A long paragraph is split between words; a short one moves to the next page whole.
        const parts =
          height > this.freshPageHeight / 3 || (topOfRoom && taken.length === 0)
            ? this.splitPara(para, width, room - used - gap)
            : null;
        if (parts) {
          taken.push(parts[0]);
          rest = [parts[1], ...cell.slice(at + 1)];
        } else if (topOfRoom && taken.length === 0) {
          // Not even one line fits a whole page's room (cannot happen with real text): clipped, so the row ends.
          taken.push(para);
          rest = cell.slice(at + 1);
        } else {
          rest = cell.slice(at);
        }
        break;
      }
      now.push(taken);
      later.push(rest);
      if (rest.length > 0) anyLater = true;
    });
    const height = Math.min(this.rowHeight(columns, { cells: now }), room + 2 * CELL_PAD_Y);
    this.drawRow(columns, { ...row, cells: now }, height, rules);
    if (!anyLater) return null;
    // The continuation says what it continues ("Visit 1 (continued)") once its first cell has started.
    const lead = row.cells[0]?.[0];
    const continuedLabel = row.continuedLabel ?? (lead ? `${lead.text} (continued)` : undefined);
    if (continuedLabel && later[0] && (now[0]?.length ?? 0) > 0) {
      later[0] = [{ text: continuedLabel, style: STYLE.muted }, ...later[0]];
    }
    return { cells: later, ...(continuedLabel ? { continuedLabel } : {}) };
  }

  /**
   * Splits a paragraph so that its first part fits `room` (between words, or between characters for a
   * single word wider than the cell), or returns null when not even a line fits.
   */
  private splitPara(para: Para, width: number, room: number): [Para, Para] | null {
    const words = para.text.split(/(?<=\s)/);
    const pieces = words.length > 1 ? words : Array.from(para.text);
    let low = 0;
    let high = pieces.length - 1;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      const head = pieces.slice(0, mid).join('').trimEnd();
      if (this.measure({ ...para, text: head }, width) <= room) low = mid;
      else high = mid - 1;
    }
    if (low === 0) return null;
    return [
      { ...para, text: pieces.slice(0, low).join('').trimEnd() },
      { ...para, text: pieces.slice(low).join('').trimStart() },
    ];
  }

  /** True when the current position is the top of a page's content (after a repeated table header). */
  private atTopOfRoom(): boolean {
    return this.pdf.y < TOP + 40;
  }

  // --- sections --------------------------------------------------------------------------------------------

  private titleBlock(): void {
    const y = this.pdf.y;
    this.use(STYLE.title);
    const titleHeight = this.pdf.heightOfString('Your treatment plan', { width: CONTENT_WIDTH });
    this.pdf.text('Your treatment plan', LEFT, y, { width: CONTENT_WIDTH, height: titleHeight + 2 });
    this.pdf.y = y + titleHeight + 2;
    this.block([{ text: text(this.doc.planTitle), style: STYLE.subtitle }], 4);
  }

  private consultation(): void {
    this.heading('Your consultation');
    const doc = this.doc;
    const value = (paras: Para[]): Para[] => paras.filter((para) => para.text !== '');
    const signedDate = formatDate(doc.signedAt);
    const signedBy = text(doc.signedBy);
    let status: Para[];
    if (doc.status === 'signed') {
      const who = signedBy ? ` by ${signedBy}` : '';
      const when = signedDate ? ` on ${signedDate}` : '';
      status = [
        { text: `Signed${who}${when}`, style: { ...STYLE.strong, color: COLOR.signed } },
        { text: 'Your clinician has reviewed and signed this plan.', style: STYLE.muted },
      ];
    } else {
      status = [
        { text: 'Draft: not yet signed by your clinician', style: { ...STYLE.strong, color: COLOR.amber } },
        { text: 'The plan may change before your clinician signs it.', style: STYLE.muted },
      ];
    }
    const rows: [string, Para[]][] = [
      [
        'Clinic',
        value([
          { text: text(doc.clinicName), style: STYLE.strong },
          { text: text(doc.clinicLocation), style: STYLE.muted },
        ]),
      ],
      ['Patient', value([{ text: text(doc.patientName), style: STYLE.body }])],
      ['Prepared on', value([{ text: formatDate(doc.generatedOn), style: STYLE.body }])],
      ['Status', status],
    ];
    this.table(
      [
        { header: '', width: 110 },
        { header: '', width: CONTENT_WIDTH - 110 },
      ],
      rows.map(([label, paras]) => ({ cells: [[{ text: label, style: STYLE.label }], paras] })),
      { header: false },
    );
  }

  private photos(): void {
    const images = this.doc.images;
    if (images.length === 0) {
      this.heading('Photos', 30);
      this.block([{ text: 'No photos were included.', style: STYLE.muted }]);
      return;
    }
    const simulations = images.some((image) => image.kind === 'simulation');
    const intro: Para = {
      text: simulations
        ? 'Photos from your consultation, and simulated projections of a possible result. A simulation is an ' +
          'illustration made by software, not a photo of you after treatment.'
        : 'Photos from your consultation.',
      style: STYLE.muted,
    };
    const cellWidth = (CONTENT_WIDTH - PHOTO_GAP) / 2;
    const rows: PlanSummaryImage[][] = [];
    for (let index = 0; index < images.length; index += 2) rows.push(images.slice(index, index + 2));
    const layout = rows.map((row) => {
      // The box fits the tallest image of the row at full cell width, within limits; each image is centred.
      const aspect = Math.max(
        ...row.map((image) => (image.width > 0 && image.height > 0 ? image.height / image.width : 1)),
      );
      const boxHeight = Math.min(PHOTO_MAX_BOX, Math.max(PHOTO_MIN_BOX, cellWidth * aspect));
      const captionHeight = Math.max(...row.map((image) => this.captionHeight(image, cellWidth)));
      return { row, boxHeight, height: boxHeight + 6 + captionHeight + 12 };
    });

    // The heading stays with the introduction and the first row of photos, on a page with the disclaimer.
    const firstRow = layout[0]?.height ?? 0;
    const disclaimerRoom = this.footerWithDisclaimer - this.pdf.page.margins.bottom;
    this.heading('Photos', this.measure(intro, CONTENT_WIDTH) + 6 + firstRow + disclaimerRoom);
    this.block([intro]);

    for (const { row, boxHeight, height } of layout) {
      // Image pages keep room for the disclaimer in the footer.
      if (!this.atTopOfPage && this.pdf.y + height > PAGE_HEIGHT - this.footerWithDisclaimer) this.newPage();
      this.markImagePage();
      const y = this.pdf.y;
      row.forEach((image, column) => {
        const x = LEFT + column * (cellWidth + PHOTO_GAP);
        this.image(image, x, y, cellWidth, boxHeight);
        let captionY = y + boxHeight + 6;
        for (const para of this.captionParas(image)) {
          const measured = this.measure(para, cellWidth);
          const paraHeight = Math.min(measured, CAPTION_MAX_HEIGHT);
          this.draw(para, x, captionY, cellWidth, paraHeight, paraHeight < measured);
          captionY += paraHeight + PARAGRAPH_GAP;
        }
      });
      this.pdf.y = y + height;
      this.pdf.x = LEFT;
    }
  }

  /** Captions are clipped to a few lines so a row of photos always fits on a page. */
  private captionHeight(image: PlanSummaryImage, width: number): number {
    return this.captionParas(image).reduce(
      (sum, para, index) =>
        sum + Math.min(this.measure(para, width), CAPTION_MAX_HEIGHT) + (index > 0 ? PARAGRAPH_GAP : 0),
      0,
    );
  }

  private captionParas(image: PlanSummaryImage): Para[] {
    const caption = text(image.caption);
    const paras: Para[] = caption ? [{ text: caption, style: STYLE.caption }] : [];
    paras.push(
      image.kind === 'simulation'
        ? { text: SIMULATION_CAPTION, style: STYLE.simulationNote }
        : { text: 'Consultation photo', style: STYLE.captionNote },
    );
    return paras;
  }

  private image(image: PlanSummaryImage, x: number, y: number, width: number, height: number): void {
    this.pdf.rect(x, y, width, height).fillColor(COLOR.imageBox).fill();
    let drawn = false;
    if (isJpeg(image.jpeg)) {
      try {
        this.pdf.image(image.jpeg, x, y, { fit: [width, height], align: 'center', valign: 'center' });
        drawn = true;
      } catch {
        // A damaged file: the placeholder below says so; the rest of the summary is still useful.
      }
    }
    if (!drawn) {
      this.use(STYLE.muted);
      this.pdf.text('This image could not be shown.', x, y + height / 2 - 6, {
        width,
        height: 14,
        align: 'center',
        lineBreak: false,
      });
    }
    if (image.kind === 'simulation') {
      const label = 'SIMULATION';
      this.pdf.font(FONT.bold).fontSize(7.5);
      const labelWidth = this.pdf.widthOfString(label) + 10;
      this.pdf.rect(x + 6, y + 6, labelWidth, 14).fillColor(COLOR.amberFill).fill();
      this.pdf.fillColor(COLOR.amber).text(label, x + 11, y + 9.5, { width: labelWidth, height: 12, lineBreak: false });
    }
  }

  private areas(): void {
    this.heading('Areas we discussed');
    const areas = this.doc.areas;
    if (areas.length === 0) {
      this.block([{ text: 'No treatment areas were recorded.', style: STYLE.muted }]);
      return;
    }
    this.block([
      {
        text: 'The areas of your face we talked about, with the treatment and the amount suggested for each.',
        style: STYLE.muted,
      },
    ]);
    const offLabel = areas.some((area) => area.offLabel);
    this.table(
      [
        { header: 'Area', width: 190 },
        { header: 'Treatment', width: 190 },
        { header: 'Amount', width: CONTENT_WIDTH - 380 },
      ],
      areas.map((area) => ({
        cells: [
          [
            { text: text(area.zone), style: STYLE.strong },
            { text: text(area.plainLanguage), style: STYLE.muted },
          ].filter((para) => para.text !== ''),
          [{ text: `${text(area.treatment)}${area.offLabel ? ' \u2020' : ''}`, style: STYLE.body }],
          [{ text: text(area.amount), style: STYLE.body }],
        ],
      })),
    );
    if (offLabel) {
      this.block([
        {
          text:
            '\u2020 Off-label use: the product is used in a way its licence does not specifically cover. Your ' +
            'clinician will explain why they suggest it, and the risks, before you agree to it.',
          style: STYLE.footnote,
        },
      ]);
    }
  }

  private visits(): void {
    this.heading('Your visits');
    const visits = this.doc.visits;
    if (visits.length === 0) {
      this.block([{ text: 'No visits have been planned yet.', style: STYLE.muted }]);
      return;
    }
    this.block([
      {
        text:
          'Your treatment is planned over these visits, so each step can settle before the next. The date is the ' +
          'earliest each visit can take place.',
        style: STYLE.muted,
      },
    ]);
    this.table(
      [
        { header: 'Visit', width: 170 },
        { header: 'What is planned', width: CONTENT_WIDTH - 170 - 90 },
        { header: 'Cost', width: 90, align: 'right' },
      ],
      visits.map((visit) => {
        const items = visit.items.map((item) => text(item)).filter((item) => item !== '');
        const earliest = formatDate(visit.earliestDate);
        return {
          cells: [
            [
              { text: `Visit ${visit.stage}`, style: STYLE.strong },
              { text: text(visit.label), style: STYLE.body },
              { text: earliest ? `Earliest date: ${earliest}` : '', style: STYLE.muted },
            ].filter((para) => para.text !== ''),
            items.length > 0
              ? items.map((item) => ({ text: item, style: STYLE.body, bullet: true }))
              : [{ text: 'To be confirmed', style: STYLE.muted }],
            [{ text: this.money(visit.cost), style: STYLE.body }],
          ],
        };
      }),
    );
  }

  private costs(): void {
    this.heading('Costs');
    const visits = this.doc.visits;
    const rows: Row[] = visits.map((visit) => {
      const label = text(visit.label);
      return {
        cells: [
          [{ text: label ? `Visit ${visit.stage}: ${label}` : `Visit ${visit.stage}`, style: STYLE.body }],
          [{ text: this.money(visit.cost), style: STYLE.body }],
        ],
      };
    });
    if (visits.length === 0) {
      this.block([{ text: 'No visits have been costed yet.', style: STYLE.muted }]);
    }
    rows.push({
      cells: [
        [{ text: 'Total for this plan', style: STYLE.strong }],
        [{ text: this.money(this.doc.totalCost), style: STYLE.strong }],
      ],
      fill: COLOR.fill,
      ruleAbove: true,
    });
    this.table(
      [
        { header: 'Item', width: CONTENT_WIDTH - 120 },
        { header: 'Cost', width: 120, align: 'right' },
      ],
      rows,
    );
    this.block([
      {
        text:
          'The costs are for the treatments in this plan. If your plan changes, the costs may change too; ask your ' +
          'clinic for an updated summary.',
        style: STYLE.footnote,
      },
    ]);
  }

  private maintenance(): void {
    this.heading('Maintenance');
    const maintenance = this.doc.maintenance;
    if (maintenance.length === 0) {
      this.block([{ text: 'No maintenance treatments are planned.', style: STYLE.muted }]);
      return;
    }
    this.block([
      {
        text:
          'Results from these treatments fade over time. To keep them, the treatments below are usually repeated; ' +
          'the first reminder is when we plan to contact you.',
        style: STYLE.muted,
      },
    ]);
    this.table(
      [
        { header: 'Treatment', width: 135 },
        { header: 'Areas', width: 145 },
        { header: 'How often', width: 115 },
        { header: 'First reminder', width: CONTENT_WIDTH - 395 },
      ],
      maintenance.map((item) => ({
        cells: [
          [{ text: text(item.treatment), style: STYLE.body }],
          [{ text: text(item.areas), style: STYLE.body }],
          [{ text: text(item.every), style: STYLE.body }],
          [{ text: formatDate(item.firstReminder), style: STYLE.body }],
        ],
      })),
    );
  }

  private important(): void {
    this.heading('Important', 90);
    const notes = paragraphs(this.doc.notes);
    if (notes.length > 0) {
      this.block([{ text: 'Notes from your clinician', style: STYLE.strong }], 2);
      this.block(notes.map((note) => ({ text: note, style: STYLE.body })));
    }
    const clinic = text(this.doc.clinicName) || 'your clinic';
    const general: Para[] = [];
    if (this.doc.status === 'draft') {
      general.push({
        text: 'This plan is a draft. It has not been signed by your clinician and may change.',
        style: STYLE.strong,
      });
    }
    general.push({
      text:
        'This summary is for your information; it is not a consent form or a prescription. Your clinician will ' +
        `confirm your treatment, and your consent, at each visit. If anything here is not what you discussed, or ` +
        `you have questions, please contact ${clinic}.`,
      style: STYLE.body,
    });
    this.block(general);

    // The disclaimer is the last thing in the document, in a box kept on one page.
    const para: Para = { text: PROJECTION_DISCLAIMER, style: STYLE.disclaimer };
    const textWidth = CONTENT_WIDTH - 2 * 10 - 3;
    const boxHeight = this.measure(para, textWidth) + 2 * 9;
    this.pdf.y += 4;
    this.ensure(boxHeight);
    const y = this.pdf.y;
    this.pdf.rect(LEFT, y, CONTENT_WIDTH, boxHeight).fillColor(COLOR.note).fill();
    this.pdf.rect(LEFT, y, 3, boxHeight).fillColor(COLOR.accent).fill();
    this.draw(para, LEFT + 3 + 10, y + 9, textWidth, boxHeight - 18);
    this.pdf.y = y + boxHeight;
    this.importantPage = this.pageIndex;
  }

  // --- header, footer --------------------------------------------------------------------------------------

  private footerDisclaimerHeight(): number {
    this.use(STYLE.footerDisclaimer);
    return (
      this.pdf.heightOfString(PROJECTION_DISCLAIMER, { width: CONTENT_WIDTH - 2 * DISCLAIMER_PAD - 3, lineGap: 1 }) +
      2 * DISCLAIMER_PAD
    );
  }

  /** Header, page line and (on image pages) the disclaimer, drawn once the page count is known. */
  private pageFurniture(): void {
    const range = this.pdf.bufferedPageRange();
    const clinic = text(this.doc.clinicName);
    const patient = text(this.doc.patientName);
    const plan = text(this.doc.planTitle);
    const draft = this.doc.status === 'draft';
    for (let index = range.start; index < range.start + range.count; index++) {
      this.pdf.switchToPage(index);
      const page = this.pdf.page;
      // Nothing here may start a page: every text call has a height, and the margin is cleared meanwhile.
      const bottomMargin = page.margins.bottom;
      page.margins.bottom = 0;

      this.pdf.rect(0, 0, page.width, 5).fillColor(COLOR.accent).fill();
      const right = draft ? 'Treatment plan summary \u2022 DRAFT' : 'Treatment plan summary';
      this.use({ ...STYLE.pageLine, size: 8.5 });
      const rightWidth = this.pdf.widthOfString(right);
      this.pdf.fillColor(draft ? COLOR.amber : COLOR.muted);
      this.pdf.text(right, LEFT + CONTENT_WIDTH - rightWidth, 32, {
        width: rightWidth + 1,
        height: 12,
        lineBreak: false,
      });
      const clinicStyle: TextStyle = { font: FONT.bold, size: 9.5, color: COLOR.text };
      const clinicLine = this.fitLine(clinic, clinicStyle, CONTENT_WIDTH - rightWidth - 20);
      this.use(clinicStyle);
      this.pdf.text(clinicLine, LEFT, 31, { width: CONTENT_WIDTH - rightWidth - 20, height: 13, lineBreak: false });
      this.pdf.moveTo(LEFT, 48).lineTo(LEFT + CONTENT_WIDTH, 48).lineWidth(0.5).strokeColor(COLOR.rule).stroke();

      if (this.imagePages.has(index) && index !== this.importantPage) this.footerDisclaimer();

      const pageLabel = `Page ${index - range.start + 1} of ${range.count}`;
      this.use(STYLE.pageLine);
      const labelWidth = this.pdf.widthOfString(pageLabel);
      const whoWidth = CONTENT_WIDTH - labelWidth - 20;
      const whoText = [patient, plan].filter((part) => part !== '').join(' \u2022 ');
      const who = this.fitLine(whoText, STYLE.pageLine, whoWidth);
      this.pdf
        .moveTo(LEFT, PAGE_LINE_Y - 6)
        .lineTo(LEFT + CONTENT_WIDTH, PAGE_LINE_Y - 6)
        .lineWidth(0.5)
        .strokeColor(COLOR.rule)
        .stroke();
      this.use(STYLE.pageLine);
      this.pdf.text(who, LEFT, PAGE_LINE_Y, { width: whoWidth, height: 12, lineBreak: false });
      this.use(STYLE.pageLine);
      this.pdf.text(pageLabel, LEFT + CONTENT_WIDTH - labelWidth, PAGE_LINE_Y, {
        width: labelWidth + 1,
        height: 12,
        lineBreak: false,
      });

      page.margins.bottom = bottomMargin;
    }
  }

  private footerDisclaimer(): void {
    const height = this.footerDisclaimerHeight();
    const y = PAGE_LINE_Y - 14 - height;
    this.pdf.rect(LEFT, y, CONTENT_WIDTH, height).fillColor(COLOR.note).fill();
    this.pdf.rect(LEFT, y, 3, height).fillColor(COLOR.accent).fill();
    this.use(STYLE.footerDisclaimer);
    this.pdf.text(PROJECTION_DISCLAIMER, LEFT + 3 + DISCLAIMER_PAD, y + DISCLAIMER_PAD, {
      width: CONTENT_WIDTH - 2 * DISCLAIMER_PAD - 3,
      height: height - 2 * DISCLAIMER_PAD + 2,
      lineGap: 1,
    });
  }
}

function isJpeg(bytes: Buffer): boolean {
  return bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/**
 * Renders the patient's plan summary as an A4 PDF. Deterministic for a given document (dates come from
 * `generatedOn`). Throws a TypeError, without patient details, when `generatedOn` is not a date or a cost
 * is not a finite number; an image that cannot be decoded is replaced by a note instead.
 */
export async function renderPlanSummaryPdf(doc: PlanSummaryDocument): Promise<Buffer> {
  checkAmounts(doc);
  return new PlanSummaryRenderer(doc).render();
}
