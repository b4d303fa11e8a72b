/**
 * TypeBox contracts for treatment planning (issue 5): the catalogue, the consultation intake, the clinician's
 * decisions, treatments performed and the governance report. Inputs are strict; the plan's nested snapshots
 * (the planner's suggestion and the decision record) are described loosely, as the domain types define them.
 */
import { Type } from 'typebox';
import { DOSE_UNITS, DOWNTIME_TOLERANCE, PATIENT_GOALS, PRODUCT_COMPONENTS, SIMULATION_VARIANTS, SUBTLETY, TREATMENT_CLASSES, ZONE_IDS } from '@contour/domain';
import { DateTime, Id, IsoDate, Nullable, SideSchema, ZoneIdSchema } from './schemas.js';

const strict = { additionalProperties: false } as const;
const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });
const Slug = Type.String({ minLength: 1, maxLength: 80, pattern: '^[a-z0-9][a-z0-9-]*$' });
/** A domain snapshot (SuggestedPlan, ItemDecisionRecord…), serialised as the domain types define it. */
const Snapshot = (description: string) => Type.Unknown({ description });

export const PlanParams = Type.Object({ planId: Id }, strict);
export const PlanVersionParams = Type.Object({ planId: Id, version: Type.Integer({ minimum: 1, maximum: 1000 }) }, strict);
export const PlanItemParams = Type.Object({ planId: Id, version: Type.Integer({ minimum: 1, maximum: 1000 }), itemKey: Text(200, 1) }, strict);
export const PlanQuery = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })) }, strict);

const ZoneDose = Type.Object(
  {
    zoneId: ZoneIdSchema,
    perSide: Type.Boolean(),
    min: Type.Number({ minimum: 0, maximum: 1000 }),
    max: Type.Number({ minimum: 0, maximum: 1000 }),
    label: Type.Enum(['on-label', 'off-label']),
    source: Text(300),
  },
  strict,
);

const CatalogueProduct = Type.Object(
  {
    id: Slug,
    brand: Text(120, 1),
    genericName: Text(160, 1),
    treatmentClass: Type.Enum(TREATMENT_CLASSES),
    unit: Type.Enum(DOSE_UNITS),
    pricePerUnit: Type.Number({ minimum: 0, maximum: 100000 }),
    typicalDurationMonths: Type.Number({ minimum: 0, maximum: 120 }),
    minIntervalDays: Type.Integer({ minimum: 0, maximum: 3650 }),
    downtimeDays: Type.Integer({ minimum: 0, maximum: 60 }),
    components: Type.Array(Type.Enum(PRODUCT_COMPONENTS), { maxItems: 3, uniqueItems: true }),
    zones: Type.Array(ZoneDose, { maxItems: 40 }),
    active: Type.Boolean(),
  },
  strict,
);

export const TreatmentCatalogue = Type.Object(
  { currency: Type.String({ pattern: '^[A-Z]{3}$' }), products: Type.Array(CatalogueProduct, { maxItems: 200 }) },
  strict,
);

export const StoredCatalogue = Type.Object({
  catalogue: TreatmentCatalogue,
  version: Type.Integer(),
  updatedAt: Nullable(DateTime),
  isDefault: Type.Boolean(),
});

export const ConsultationIntake = Type.Object(
  {
    concerns: Text(2000),
    goals: Type.Array(Type.Enum(PATIENT_GOALS), { maxItems: PATIENT_GOALS.length, uniqueItems: true }),
    subtlety: Type.Enum(SUBTLETY),
    budget: Nullable(Type.Number({ minimum: 0, maximum: 1_000_000 })),
    downtime: Type.Enum(DOWNTIME_TOLERANCE),
    upcomingEvent: Nullable(Type.Object({ date: IsoDate, description: Text(200) }, strict)),
  },
  strict,
);

export const NewPlan = Type.Object(
  {
    intake: ConsultationIntake,
    photoId: Type.Optional(Nullable(Id)),
    infectedZones: Type.Optional(Type.Array(ZoneIdSchema, { maxItems: 16, uniqueItems: true })),
  },
  strict,
);

const ItemChange = Type.Object(
  {
    amount: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1000 })),
    productId: Type.Optional(Slug),
    zoneId: Type.Optional(ZoneIdSchema),
    side: Type.Optional(SideSchema),
    stage: Type.Optional(Type.Integer({ minimum: 1, maximum: 12 })),
  },
  strict,
);

export const ItemDecisionBody = Type.Object(
  { decision: Type.Enum(['accept', 'modify', 'reject']), reason: Type.Optional(Text(500)), change: Type.Optional(ItemChange) },
  strict,
);

export const AddedItemBody = Type.Object(
  {
    zoneId: ZoneIdSchema,
    side: SideSchema,
    productId: Slug,
    amount: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }),
    stage: Type.Integer({ minimum: 1, maximum: 12 }),
    reason: Text(500, 1),
  },
  strict,
);

const VersionView = Type.Object({
  version: Type.Integer(),
  status: Type.Enum(['draft', 'signed']),
  suggested: Snapshot('The planner’s suggested plan (SuggestedPlan), as made; never changed'),
  decisions: Snapshot('The stored decisions (DecisionEntry[]): item, decision, change, reason, who and when'),
  records: Snapshot('The decision record per item (ItemDecisionRecord[]): proposed snapshot, decision, final item, reason'),
  final: Snapshot('The plan after the decisions (FinalPlanItem[]); as signed for a signed version'),
  totalCost: Type.Number(),
  problems: Type.Array(Type.Object({ code: Type.String(), itemKey: Type.Optional(Type.String()), message: Type.String() })),
  provenance: Type.Object({
    rulesVersion: Type.String(),
    modelVersion: Type.String(),
    catalogueVersion: Type.Integer(),
    photoHashes: Type.Array(Type.Object({ photoId: Id, sha256: Type.String() })),
    analysisHash: Nullable(Type.String()),
    analysisMethod: Nullable(Type.String({ description: 'The facial analysis method the findings were made with; null without an analysis, or on versions made before it was recorded' })),
  }),
  signedBy: Nullable(Id),
  signedByName: Nullable(Type.String()),
  signerRegistration: Nullable(Type.String()),
  signedAt: Nullable(DateTime),
  createdAt: DateTime,
  createdByName: Type.String(),
});

export const PlanView = Type.Object({
  id: Id,
  patientId: Id,
  consultation: Type.Object({
    id: Id,
    patientId: Id,
    photoId: Nullable(Id),
    intake: ConsultationIntake,
    infectedZones: Type.Array(ZoneIdSchema),
    createdAt: DateTime,
  }),
  versions: Type.Array(
    Type.Object({ version: Type.Integer(), status: Type.Enum(['draft', 'signed']), signedAt: Nullable(DateTime), signedByName: Nullable(Type.String()), createdAt: DateTime }),
  ),
  current: VersionView,
});

export const PlanSummaryList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Id,
      createdAt: DateTime,
      latestVersion: Type.Integer(),
      status: Type.Enum(['draft', 'signed']),
      signedAt: Nullable(DateTime),
      items: Type.Integer(),
      totalCost: Nullable(Type.Number()),
      currency: Type.String(),
    }),
  ),
});

export const NewTreatmentRecord = Type.Object(
  {
    planId: Type.Optional(Nullable(Id)),
    planVersion: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 1000 }))),
    stage: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 12 }))),
    performedOn: IsoDate,
    injectorId: Type.Optional(Nullable(Id)),
    notes: Type.Optional(Text(4000)),
    items: Type.Array(
      Type.Object(
        {
          planItemKey: Type.Optional(Nullable(Text(200, 1))),
          productId: Slug,
          zoneId: ZoneIdSchema,
          side: SideSchema,
          amount: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }),
          lotNumber: Type.String({ minLength: 1, maxLength: 60, pattern: '\\S' }),
          expiryDate: IsoDate,
        },
        strict,
      ),
      { minItems: 1, maxItems: 40 },
    ),
  },
  strict,
);

const PerformedItem = Type.Object({
  planItemKey: Nullable(Type.String()),
  productId: Type.String(),
  productLabel: Type.String(),
  treatmentClass: Type.String(),
  zoneId: ZoneIdSchema,
  side: SideSchema,
  amount: Type.Number(),
  unit: Type.String(),
  lotNumber: Type.String(),
  expiryDate: Type.String(),
});

export const TreatmentRecord = Type.Object({
  id: Id,
  patientId: Id,
  planId: Nullable(Id),
  planVersion: Nullable(Type.Integer()),
  stage: Nullable(Type.Integer()),
  performedOn: Type.String(),
  injectorId: Id,
  injectorName: Type.String(),
  items: Type.Array(PerformedItem),
  notes: Type.String(),
  deviations: Type.Array(
    Type.Object({
      kind: Type.String(),
      zoneId: ZoneIdSchema,
      side: SideSchema,
      planned: Nullable(Type.Object({ productId: Type.String(), amount: Type.Number(), unit: Type.String() })),
      done: Nullable(Type.Object({ productId: Type.String(), amount: Type.Number(), unit: Type.String() })),
      text: Type.String(),
    }),
  ),
  createdAt: DateTime,
});

export const TreatmentRecordList = Type.Object({ items: Type.Array(TreatmentRecord) });

export const GovernanceReport = Type.Object({
  generatedAt: DateTime,
  decisions: Snapshot('Shares of accepted, modified, rejected and added items overall, by zone, treatment and clinician, and the top reasons'),
  questions: Type.Array(
    Type.Object({
      id: Type.String(),
      question: Type.String(),
      answer: Type.String(),
      status: Type.Enum(['ok', 'attention']),
      figures: Type.Record(Type.String(), Type.Number()),
    }),
  ),
});

const ZoneLimit = Type.Object(
  {
    mm: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
    grade: Type.Optional(Type.Number({ minimum: 0, maximum: 4 })),
    ratio: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  strict,
);

export const SimulationRequest = Type.Object(
  {
    planId: Id,
    version: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    itemKeys: Type.Optional(Type.Array(Text(200, 1), { minItems: 1, maxItems: 60, uniqueItems: true })),
    variant: Type.Enum(SIMULATION_VARIANTS),
    intensity: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    maxChangePerZone: Type.Optional(Type.Partial(Type.Object(Object.fromEntries(ZONE_IDS.map((zone) => [zone, ZoneLimit])), strict))),
  },
  strict,
);

export const SimulationParams = Type.Object({ simulationId: Id }, strict);

export const Simulation = Type.Object({
  id: Id,
  patientId: Id,
  photoId: Id,
  planId: Id,
  planVersion: Type.Integer(),
  variant: Type.Enum(SIMULATION_VARIANTS),
  intensity: Type.Number(),
  itemKeys: Type.Array(Type.String()),
  label: Type.String(),
  sourceSha256: Type.String(),
  width: Type.Integer(),
  height: Type.Integer(),
  parameters: Snapshot('How it was rendered: renderer version, variant, mm per pixel, landmark source, clinician maxima'),
  changes: Snapshot('The intended change per zone and measurement (IntendedChange[]), from the dose-effect priors'),
  rendered: Snapshot('What the renderer did per zone: intended, before, target and after'),
  unsupported: Type.Array(Type.Object({ itemKey: Type.String(), reason: Type.String() })),
  createdAt: DateTime,
});

export const SimulationList = Type.Object({ items: Type.Array(Simulation) });
