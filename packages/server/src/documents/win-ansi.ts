/**
 * Text for PDFKit's built-in (AFM) fonts. Helvetica and its family encode text as WinAnsi (Windows-1252):
 * Latin-1 plus a few typographic characters (€, dashes, curly quotes, bullet, ellipsis, dagger, Œ, Š, Ž...).
 * PDFKit writes any other character as a meaningless code, so text is mapped here first: accents that
 * WinAnsi lacks are dropped ("ł" → "l", "ș" → "s"), common symbols get an ASCII spelling ("≥" → ">="),
 * invisible and decorative characters (emoji, joiners, variation selectors) are removed, and any other
 * letter or digit becomes "?" so the reader can see that something could not be printed.
 */

/** Unicode code points above U+00FF that WinAnsi encodes (PDFKit's WIN_ANSI_MAP). */
const WIN_ANSI_EXTRA = new Set([
  0x0152, 0x0153, 0x0160, 0x0161, 0x0178, 0x017d, 0x017e, 0x0192, 0x02c6, 0x02dc, 0x2013, 0x2014, 0x2018, 0x2019,
  0x201a, 0x201c, 0x201d, 0x201e, 0x2020, 0x2021, 0x2022, 0x2026, 0x2030, 0x2039, 0x203a, 0x20ac, 0x2122,
]);

/** Characters that have a plain spelling but no decomposition to one. */
const REPLACEMENTS = new Map<string, string>([
  ['\u2010', '-'],
  ['\u2011', '-'],
  ['\u2012', '-'],
  ['\u2015', '\u2014'],
  ['\u2212', '-'],
  ['\u2032', "'"],
  ['\u2033', '"'],
  ['\u2044', '/'],
  ['\u2264', '<='],
  ['\u2265', '>='],
  ['\u2248', '~'],
  ['\u2260', '!='],
  ['\u2192', '->'],
  ['\u2190', '<-'],
  ['\u2194', '<->'],
  ['\u03bc', '\u00b5'],
  ['\u0131', 'i'],
  ['\u0141', 'L'],
  ['\u0142', 'l'],
  ['\u0110', 'D'],
  ['\u0111', 'd'],
  ['\u0126', 'H'],
  ['\u0127', 'h'],
  ['\u1e9e', 'SS'],
  ['\u2116', 'No.'],
]);

function encodable(codePoint: number): boolean {
  return (
    (codePoint >= 0x20 && codePoint <= 0x7e) ||
    (codePoint >= 0xa0 && codePoint <= 0xff) ||
    WIN_ANSI_EXTRA.has(codePoint)
  );
}

function allEncodable(text: string): boolean {
  for (const char of text) {
    if (!encodable(char.codePointAt(0) ?? 0)) return false;
  }
  return true;
}

function mapChar(char: string): string {
  const codePoint = char.codePointAt(0) ?? 0;
  if (encodable(codePoint)) return char;
  const replacement = REPLACEMENTS.get(char);
  if (replacement !== undefined) return replacement;
  // Spaces of every width become a plain space; zero-width and formatting characters disappear.
  if (/\p{Zs}/u.test(char)) return ' ';
  if (/[\p{Cf}\p{Cc}\p{Co}\p{Cs}\p{Cn}\p{M}]/u.test(char)) return '';
  // Compatibility forms and accented letters WinAnsi lacks: "ﬁ" → "fi", "²" stays, "ș" → "s".
  const stripped = char.normalize('NFKD').replace(/\p{M}/gu, '');
  if (stripped !== '' && allEncodable(stripped)) return stripped;
  if (/[\p{L}\p{N}]/u.test(char)) return '?';
  // Emoji, pictographs and other symbols carry no information the reader would miss.
  return '';
}

/**
 * Text that PDFKit's standard fonts can print. Line breaks are kept when `multiline` is true (as "\n"),
 * otherwise they become spaces; tabs become spaces; runs of spaces collapse; the ends are trimmed.
 */
export function toWinAnsi(text: string, options: { multiline?: boolean } = {}): string {
  const lines = text.normalize('NFC').replace(/\r\n?/g, '\n').replace(/\t/g, ' ').split('\n');
  const cleaned = lines.map((line) => Array.from(line, mapChar).join('').replace(/ {2,}/g, ' ').trim());
  if (options.multiline) {
    // Keep paragraph breaks, but no more than one blank line in a row.
    return cleaned.join('\n').replace(/\n{3,}/g, '\n\n').trim();
  }
  return cleaned.filter((line) => line !== '').join(' ');
}
