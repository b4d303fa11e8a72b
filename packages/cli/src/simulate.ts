/**
 * `contour simulate IMAGE --plan plan.json --out out.jpg [--variant expected] [--catalogue catalogue.json] [--json]`:
 * the outcome simulation of a treatment plan on one frontal photo, offline. plan.json is
 * `{ "items": [{ "zone": "upper_lip", "side"?: "right", "treatment": "ha_filler" | "<product id>", "amount": 1, "unit": "mL" }],
 *    "maxChangePerZone"?: { "upper_lip": { "mm": 1.5 } } }`.
 * A treatment is a treatment class, or a product id looked up in the catalogue (the reference catalogue unless
 * --catalogue gives the clinic's), whose class and toxin units it takes. The JPEG always carries the label
 * "Simulated projection, not a guaranteed outcome" in its pixels and metadata. With --json it prints
 * { image, out, variant, label, sourceSha256, bbox, changes, rendered, unsupported, parameters }: the intended
 * change per measurement and what was drawn.
 */
import { readFile, writeFile } from 'node:fs/promises';
import {
  DOSE_UNITS,
  SIMULATION_VARIANTS,
  TREATMENT_CLASSES,
  ZONE_IDS,
  onaEquivalentPerUnit,
  type DoseItem,
  type DoseUnit,
  type SimulationVariant,
  type TreatmentCatalogue,
  type TreatmentClass,
  type ZoneId,
  type ZoneLimit,
} from '@contour/domain';
import { DEFAULT_CATALOGUE, productById } from '@contour/domain/treatment-catalogue';
import { FaceLandmarker, ImageRejected, SimulationRefused, simulate } from '@contour/vision';
import type { Output } from './commands.js';

export interface SimulateOptions {
  image: string;
  plan: string;
  out: string;
  variant: SimulationVariant;
  catalogue: string | null;
  json: boolean;
}

export function parseSimulateArgs(args: string[]): SimulateOptions | string {
  let image: string | null = null;
  let plan: string | null = null;
  let out: string | null = null;
  let catalogue: string | null = null;
  let variant = 'expected';
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => inline ?? args[++i] ?? '';
    if (flag === '--json') json = true;
    else if (flag === '--plan') plan = value();
    else if (flag === '--out') out = value();
    else if (flag === '--variant') variant = value();
    else if (flag === '--catalogue') catalogue = value();
    else if (flag.startsWith('--')) return `Unknown option ${flag}`;
    else if (image === null) image = arg;
    else return 'Give one image (simulate one photo at a time).';
  }
  if (!image) return 'Give the frontal photo to simulate on.';
  if (!plan) return 'Give the plan: --plan plan.json.';
  if (!out) return 'Give where to write the simulation: --out out.jpg.';
  if (!(SIMULATION_VARIANTS as readonly string[]).includes(variant)) return `Unknown variant "${variant}". Variants: ${SIMULATION_VARIANTS.join(', ')}`;
  return { image, plan, out, variant: variant as SimulationVariant, catalogue, json };
}

export interface ParsedPlan {
  items: DoseItem[];
  maxChangePerZone: Partial<Record<ZoneId, ZoneLimit>>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads plan.json into dose items; every problem is reported, with the item it is in. */
export function parsePlan(json: unknown, catalogue: TreatmentCatalogue): ParsedPlan | string[] {
  if (!isRecord(json) || !Array.isArray(json.items)) return ['The plan must be a JSON object with an "items" array.'];
  const problems: string[] = [];
  const items: DoseItem[] = [];
  json.items.forEach((raw: unknown, k: number) => {
    const where = `item ${k + 1}`;
    if (!isRecord(raw)) {
      problems.push(`${where}: not an object.`);
      return;
    }
    const { zone, side, treatment, amount, unit } = raw;
    const itemProblems: string[] = [];
    if (typeof zone !== 'string' || !(ZONE_IDS as readonly string[]).includes(zone)) itemProblems.push(`${where}: unknown zone "${String(zone)}" (zones: ${ZONE_IDS.join(', ')}).`);
    if (side !== undefined && side !== 'right' && side !== 'left' && side !== 'centre') itemProblems.push(`${where}: side must be right, left or centre.`);
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) itemProblems.push(`${where}: the amount must be a number above zero.`);
    if (typeof unit !== 'string' || !(DOSE_UNITS as readonly string[]).includes(unit)) itemProblems.push(`${where}: the unit must be one of ${DOSE_UNITS.join(', ')}.`);
    let treatmentClass: TreatmentClass | null = null;
    let onaEquivalent: number | undefined;
    if (typeof treatment === 'string' && (TREATMENT_CLASSES as readonly string[]).includes(treatment)) treatmentClass = treatment as TreatmentClass;
    else if (typeof treatment === 'string') {
      const product = productById(catalogue, treatment);
      if (!product) itemProblems.push(`${where}: "${treatment}" is neither a treatment class (${TREATMENT_CLASSES.join(', ')}) nor a product of the catalogue.`);
      else {
        treatmentClass = product.treatmentClass;
        if (typeof unit === 'string' && unit !== product.unit) itemProblems.push(`${where}: ${product.brand} is dosed in ${product.unit}, not ${unit}.`);
        if (product.treatmentClass === 'neuromodulator') {
          // Toxin units are the product's own; the priors are in onabotulinum units, converted only when known.
          const potency = onaEquivalentPerUnit(product.genericName);
          if (potency === null) itemProblems.push(`${where}: ${product.brand} units (${product.genericName}) have no established onabotulinum equivalence; it cannot be simulated.`);
          else onaEquivalent = potency;
        }
      }
    } else itemProblems.push(`${where}: give the treatment (a treatment class or a product id).`);
    problems.push(...itemProblems);
    if (itemProblems.length === 0 && treatmentClass) {
      items.push({
        zoneId: zone as ZoneId,
        ...(side !== undefined ? { side: side as DoseItem['side'] } : {}),
        treatmentClass,
        amount: amount as number,
        unit: unit as DoseUnit,
        ...(onaEquivalent !== undefined ? { onaEquivalentPerUnit: onaEquivalent } : {}),
      });
    }
  });
  const maxChangePerZone: Partial<Record<ZoneId, ZoneLimit>> = {};
  if (json.maxChangePerZone !== undefined) {
    if (!isRecord(json.maxChangePerZone)) problems.push('"maxChangePerZone" must be an object of zones.');
    else {
      for (const [zone, limit] of Object.entries(json.maxChangePerZone)) {
        if (!(ZONE_IDS as readonly string[]).includes(zone)) problems.push(`maxChangePerZone: unknown zone "${zone}".`);
        else if (!isRecord(limit) || Object.entries(limit).some(([k, v]) => !['mm', 'grade', 'ratio'].includes(k) || typeof v !== 'number' || !(v >= 0))) {
          problems.push(`maxChangePerZone.${zone}: give mm, grade and/or ratio as numbers of zero or more.`);
        } else maxChangePerZone[zone as ZoneId] = limit as ZoneLimit;
      }
    }
  }
  return problems.length ? problems : { items, maxChangePerZone };
}

const signed = (v: number, digits: number): string => `${v > 0 ? '+' : ''}${v.toFixed(digits)}`;

export async function simulateCommand(options: SimulateOptions, output: Output): Promise<number> {
  const fail = (message: string): number => {
    output.err(`contour simulate: ${message}`);
    return 1;
  };
  let planJson: unknown;
  let catalogue: TreatmentCatalogue = DEFAULT_CATALOGUE;
  try {
    planJson = JSON.parse(await readFile(options.plan, 'utf8'));
    if (options.catalogue) catalogue = JSON.parse(await readFile(options.catalogue, 'utf8')) as TreatmentCatalogue;
  } catch (error) {
    return fail((error as NodeJS.ErrnoException).code === 'ENOENT' ? `no such file: ${(error as NodeJS.ErrnoException).path}` : `cannot read the plan or catalogue: ${(error as Error).message}`);
  }
  const plan = parsePlan(planJson, catalogue);
  if (Array.isArray(plan)) {
    for (const problem of plan) output.err(`contour simulate: ${options.plan}: ${problem}`);
    return 2;
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(options.image);
  } catch {
    return fail(`${options.image}: No such file.`);
  }
  const landmarker = await FaceLandmarker.load();
  try {
    const result = await simulate(bytes, { items: plan.items }, { variant: options.variant, finder: landmarker, maxChangePerZone: plan.maxChangePerZone });
    await writeFile(options.out, result.jpeg);
    if (options.json) {
      output.out(
        JSON.stringify({
          image: options.image,
          out: options.out,
          variant: result.variant,
          label: result.label,
          sourceSha256: result.sourceSha256,
          bbox: result.bbox,
          changes: result.changes,
          rendered: result.rendered,
          unsupported: result.unsupported,
          parameters: result.parameters,
        }),
      );
    } else {
      output.out(`${options.out}: simulated on ${options.image} (${result.variant} variant), labelled "${result.label}"`);
      for (const c of result.changes) {
        const unit = c.kind === 'mm' ? ' mm' : c.kind === 'grade' ? ' grade' : '';
        const amount = c.kind === 'ratio' ? `${signed(c.amount * 100, 0)} %` : `${signed(c.amount, 2)}${unit}`;
        output.out(`  ${c.zoneId.replace(/_/g, ' ')}${c.side === 'centre' ? '' : ` (${c.side})`}: ${c.effect.replace(/_/g, ' ')} ${amount}${c.measurementId ? ` [${c.measurementId}]` : ''}${c.clampedBy ? ' (clinician maximum)' : ''}`);
      }
      for (const r of result.rendered.filter((e) => e.limitedBy)) output.out(`  note: ${r.zoneId.replace(/_/g, ' ')} ${r.effects.join(', ')}: drawn ${r.after !== undefined && r.before !== undefined ? signed(r.after - r.before, 2) : '0'} of ${signed(r.intended, 2)}${r.note ? `: ${r.note}` : ''}`);
      for (const u of result.unsupported) output.out(`  not simulated: item ${u.index + 1} (${u.item.zoneId}, ${u.item.treatmentClass}): ${u.reason}`);
    }
    return 0;
  } catch (error) {
    if (error instanceof SimulationRefused || error instanceof ImageRejected) return fail(`${options.image}: ${error.message}`);
    throw error;
  }
}
