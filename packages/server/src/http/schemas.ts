/**
 * TypeBox contracts shared by the routes: one object drives request validation, response
 * serialisation (undeclared fields never leave the server) and the OpenAPI document.
 */
import { Type, type TNumber, type TSchema } from 'typebox';
import {
  ACQUISITION_CHANNELS,
  CHECK_IDS,
  CONSENT_TYPES,
  CONSISTENCY_CHECK_IDS,
  EXPRESSIONS,
  PURPOSE_NAMES,
  ROLES,
  SEXES,
  THRESHOLD_RANGES,
  VIEW_IDS,
  ZONE_IDS,
  type QualityThresholds as QualityThresholdsType,
} from '@contour/domain';

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const strict = { additionalProperties: false } as const;
const literalUnion = <T extends readonly string[]>(values: T) => Type.Union(values.map((v) => Type.Literal(v)));

export const Id = Type.String({ format: 'uuid' });
/** Responses carry Date objects; the serialiser writes them as ISO 8601. */
export const DateTime = Type.Unsafe<Date | string>({ type: 'string', format: 'date-time' });
export const IsoDate = Type.String({ format: 'date' });
const Text = (max: number, min = 0) => Type.String({ minLength: min, maxLength: max });
const Name = Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' });

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem' },
);

/** 4xx answers every route may give; each is a problem+json body. */
export const problems = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [status, Type.Ref('Problem')]));

export const Role = literalUnion(ROLES);
export const ConsentType = literalUnion(CONSENT_TYPES);
export const Purpose = literalUnion(PURPOSE_NAMES);
export const Sex = literalUnion(SEXES);
export const AcquisitionChannel = literalUnion(ACQUISITION_CHANNELS);

export const MedicalHistory = Type.Object(
  {
    allergies: Type.Object(
      { lidocaine: Type.Boolean(), hyaluronicAcid: Type.Boolean(), albumin: Type.Boolean(), other: Text(500) },
      strict,
    ),
    pregnant: Type.Boolean(),
    breastfeeding: Type.Boolean(),
    neuromuscularDisorder: Type.Boolean(),
    anticoagulants: Type.Boolean(),
    autoimmuneDisease: Type.Boolean(),
    activeSkinInfection: Type.Boolean(),
    keloidHistory: Type.Boolean(),
    priorPermanentFiller: Text(1000),
    priorTreatments: Text(2000),
    medications: Text(2000),
  },
  strict,
);

const patientFields = {
  givenName: Name,
  familyName: Name,
  preferredName: Type.Optional(Nullable(Text(120))),
  dateOfBirth: Type.Optional(Nullable(IsoDate)),
  sex: Sex,
  email: Type.Optional(Nullable(Type.Union([Type.Literal(''), Type.String({ format: 'email', maxLength: 254 })]))),
  phone: Type.Optional(Nullable(Type.String({ maxLength: 40, pattern: '^[+0-9 ()\\-.]*$' }))),
  address: Type.Optional(Nullable(Text(500))),
  acquisitionChannel: AcquisitionChannel,
  locationId: Type.Optional(Nullable(Id)),
  medicalHistory: Type.Optional(MedicalHistory),
  clinicalNotes: Type.Optional(Text(20_000)),
};

export const PatientCreate = Type.Object(patientFields, strict);
export const PatientUpdate = Type.Partial(Type.Object(patientFields, strict), { ...strict, minProperties: 1 });

export const PatientSummary = Type.Object({
  id: Id,
  givenName: Type.String(),
  familyName: Type.String(),
  preferredName: Nullable(Type.String()),
  dateOfBirth: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  archived: Type.Boolean(),
  erased: Type.Boolean(),
  createdAt: DateTime,
});

export const Patient = Type.Object({
  ...PatientSummary.properties,
  sex: Type.String(),
  address: Nullable(Type.String()),
  acquisitionChannel: Type.String(),
  locationId: Nullable(Type.String()),
  medicalHistory: MedicalHistory,
  clinicalNotes: Type.Optional(Type.String()),
  archivedAt: Nullable(DateTime),
  erasedAt: Nullable(DateTime),
  updatedAt: DateTime,
});

export const ConsentTemplate = Type.Object({
  id: Id,
  type: Type.String(),
  version: Type.Integer(),
  title: Type.String(),
  body: Type.String(),
  validForMonths: Nullable(Type.Integer()),
  createdAt: DateTime,
  current: Type.Boolean(),
});

export const ConsentTemplateCreate = Type.Object(
  {
    type: ConsentType,
    title: Type.String({ minLength: 3, maxLength: 200 }),
    body: Type.String({ minLength: 20, maxLength: 20_000 }),
    validForMonths: Nullable(Type.Integer({ minimum: 1, maximum: 120 })),
  },
  strict,
);

export const Consent = Type.Object({
  id: Id,
  type: Type.String(),
  templateId: Id,
  templateVersion: Type.Integer(),
  title: Type.String(),
  signedName: Type.String(),
  signedAt: DateTime,
  recordedBy: Id,
  withdrawnAt: Nullable(DateTime),
  withdrawalReason: Nullable(Type.String()),
  inForce: Type.Boolean(),
  hasSignature: Type.Boolean(),
});

export const ConsentStatus = Type.Object({
  purpose: Type.String(),
  allowed: Type.Boolean(),
  missing: Type.Array(Type.String()),
  reason: Nullable(Type.String()),
});

export const ConsentRecord = Type.Object(
  {
    templateId: Id,
    signedName: Name,
    // A drawn signature as a PNG data URL; the server checks the bytes really are a PNG.
    signature: Type.String({ minLength: 30, maxLength: 720_000 }),
  },
  strict,
);

export const PatientFile = Type.Object({
  id: Id,
  kind: Type.String(),
  contentType: Type.String(),
  byteSize: Type.Integer(),
  sha256: Type.String(),
  createdAt: DateTime,
});

export const User = Type.Object({
  id: Id,
  email: Type.String(),
  displayName: Type.String(),
  role: Type.String(),
  registrationNumber: Nullable(Type.String()),
  active: Type.Boolean(),
  createdAt: DateTime,
});

export const Password = Type.String({ minLength: 12, maxLength: 200 });
export const Email = Type.String({ format: 'email', maxLength: 254 });

export const UserCreate = Type.Object(
  {
    email: Email,
    displayName: Name,
    role: Role,
    registrationNumber: Type.Optional(Nullable(Text(60))),
    password: Password,
  },
  strict,
);

export const UserUpdate = Type.Object(
  {
    displayName: Type.Optional(Name),
    role: Type.Optional(Role),
    registrationNumber: Type.Optional(Nullable(Text(60))),
    active: Type.Optional(Type.Boolean()),
    password: Type.Optional(Password),
  },
  { ...strict, minProperties: 1 },
);

export const Location = Type.Object({
  id: Id,
  name: Type.String(),
  address: Nullable(Type.String()),
  timezone: Type.String(),
});

export const LocationCreate = Type.Object(
  { name: Name, address: Type.Optional(Nullable(Text(500))), timezone: Type.Optional(Type.String({ maxLength: 64 })) },
  strict,
);

export const SessionBody = Type.Object({
  user: Type.Object({
    id: Id,
    email: Type.String(),
    displayName: Type.String(),
    role: Type.String(),
    registrationNumber: Nullable(Type.String()),
    organisation: Type.Object({ id: Id, name: Type.String() }),
  }),
  csrfToken: Type.String(),
  permissions: Type.Array(Type.String()),
});

export const AuditEntry = Type.Object({
  seq: Type.Integer(),
  recordedAt: Type.String(),
  actorUserId: Nullable(Type.String()),
  actorEmail: Nullable(Type.String()),
  actorRole: Nullable(Type.String()),
  action: Type.String(),
  event: Type.String(),
  entityType: Nullable(Type.String()),
  entityId: Nullable(Type.String()),
  patientId: Nullable(Type.String()),
  outcome: Type.String(),
  sourceIp: Nullable(Type.String()),
  detail: Type.Object({}, { additionalProperties: true }),
});

export const ChainReport = Type.Object({
  ok: Type.Boolean(),
  checked: Type.Integer(),
  firstBreak: Nullable(Type.Object({ seq: Type.Integer(), reason: Type.String() })),
  checkpoint: Nullable(
    Type.Object(
      { seq: Nullable(Type.Integer()), recordedAt: Nullable(Type.String()), held: Type.Boolean() },
      { description: "The chain's last head recorded outside the database, and whether the chain still reaches it (null: none yet)" },
    ),
  ),
});

export const Items = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) });
export const PatientParams = Type.Object({ patientId: Id }, strict);

// Clinical photography (docs/api-contract.md, "Photography").

export const ViewId = Type.Enum(VIEW_IDS);
const Degrees = (min: number, max: number) => Type.Number({ minimum: min, maximum: max });

export const ViewSpec = Type.Object(
  {
    id: ViewId,
    label: Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' }),
    yaw: Degrees(-90, 90),
    yawTolerance: Degrees(1, 45),
    pitchTolerance: Degrees(1, 45),
    rollTolerance: Degrees(1, 45),
    expression: Type.Enum(EXPRESSIONS),
    required: Type.Boolean(),
  },
  strict,
);

export const QualityThresholds = Type.Object(
  Object.fromEntries(
    Object.entries(THRESHOLD_RANGES).map(([name, [minimum, maximum]]) => [name, Type.Number({ minimum, maximum })]),
  ) as Record<keyof QualityThresholdsType, TNumber>,
  strict,
);

export const PhotoProtocol = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' }),
    views: Type.Array(ViewSpec, { minItems: 1, maxItems: VIEW_IDS.length }),
    thresholds: QualityThresholds,
  },
  strict,
);

export const QualityResult = Type.Object({
  passed: Type.Boolean(),
  checks: Type.Array(
    Type.Object({
      id: Type.Enum(CHECK_IDS),
      passed: Type.Boolean(),
      value: Nullable(Type.Number()),
      threshold: Type.Union([Type.Number(), Type.Array(Type.Number(), { minItems: 2, maxItems: 2 })]),
      message: Type.String(),
    }),
  ),
});

export const ConsistencyReport = Type.Object({
  baselinePhotoId: Id,
  checks: Type.Array(
    Type.Object({
      id: Type.Enum(CONSISTENCY_CHECK_IDS),
      passed: Type.Boolean(),
      value: Nullable(Type.Number()),
      threshold: Type.Number(),
      message: Type.String(),
    }),
  ),
});

export const Pose = Type.Object({ yaw: Type.Number(), pitch: Type.Number(), roll: Type.Number() });

export const EarlierMethodQueued = Type.Object({
  queued: Type.Integer({ description: 'Photos queued for analysis with the current method' }),
  skipped: Type.Integer({ description: 'Photos whose patient has no AI-analysis consent in force now; left as they are' }),
  remaining: Type.Integer({ description: 'Photos not tried in this call: call again' }),
});

export const Photo = Type.Object({
  id: Id,
  sessionId: Id,
  view: Type.String(),
  status: Type.Enum(['stored', 'queued', 'analysing', 'analysed', 'failed', 'not_analysed']),
  statusReason: Nullable(Type.String()),
  width: Type.Integer(),
  height: Type.Integer(),
  contentType: Type.String(),
  byteSize: Type.Integer(),
  sha256: Type.String(),
  createdAt: DateTime,
  superseded: Type.Boolean(),
  quality: Nullable(QualityResult),
  pose: Nullable(Pose),
  consistency: Nullable(ConsistencyReport),
});

export const PhotoSession = Type.Object({
  id: Id,
  patientId: Id,
  visitDate: Type.String(),
  locationId: Nullable(Type.String()),
  notes: Type.String(),
  createdAt: DateTime,
  createdBy: Id,
  views: Type.Array(Type.Object({ view: ViewSpec, photo: Nullable(Photo), attempts: Type.Integer() })),
  complete: Type.Boolean(),
  consistency: Nullable(ConsistencyReport),
});

export const PhotoSessionCreate = Type.Object(
  {
    visitDate: Type.Optional(IsoDate),
    locationId: Type.Optional(Nullable(Id)),
    notes: Type.Optional(Text(2000)),
  },
  strict,
);

export const PhotoLandmarks = Type.Object({
  width: Type.Integer(),
  height: Type.Integer(),
  landmarks: Type.Array(Type.Array(Type.Number(), { minItems: 3, maxItems: 3 })),
  box: Type.Array(Type.Number(), { minItems: 4, maxItems: 4 }),
});

/** Facial analysis (issue 4): types from domain/face-analysis.ts. */
export const ZoneIdSchema = Type.Enum(ZONE_IDS);
export const SideSchema = Type.Enum(['right', 'left', 'centre']);
export const GradeModality = Type.Enum(['live', 'photo']);

const PixelScale = Type.Object({
  mmPerPx: Type.Number(),
  method: Type.String(),
  uncertainty: Type.Number(),
  irisDiameterPx: Type.Object({ right: Type.Number(), left: Type.Number() }),
});

const Measurement = Type.Object({
  id: Type.String(),
  label: Type.String(),
  value: Type.Number(),
  unit: Type.Enum(['mm', 'ratio', 'deg']),
  side: Type.Optional(Type.Enum(['right', 'left'])),
  method: Type.String(),
  uncertainty: Type.Optional(Type.Number()),
  range: Type.Optional(Type.Object({ low: Type.Number(), high: Type.Number(), source: Type.String() })),
  unclearEdge: Type.Optional(Type.String()),
});

const NotMeasurable = Type.Object({ id: Type.String(), label: Type.String(), reason: Type.String() });

const ZoneFinding = Type.Object({
  id: ZoneIdSchema,
  side: SideSchema,
  polygon: Type.Array(Type.Array(Type.Number(), { minItems: 2, maxItems: 2 })),
  indicators: Type.Object({
    lines: Type.Optional(Type.Number()),
    shadow: Type.Optional(Type.Number()),
    texture: Type.Optional(Type.Number()),
    redness: Type.Optional(Type.Number()),
    pigment: Type.Optional(Type.Number()),
  }),
  severity: Nullable(Type.Number()),
  confidence: Type.Number(),
  scale: Nullable(Type.String()),
  view: Type.String(),
  expression: Type.Enum(['rest', 'dynamic']),
});

export const ZoneGrade = Type.Object({
  zoneId: ZoneIdSchema,
  side: SideSchema,
  grade: Type.Integer({ minimum: 0, maximum: 4 }),
  modality: GradeModality,
  scale: Type.String(),
  gradedBy: Id,
  gradedByName: Type.String(),
  gradedAt: DateTime,
});

export const ZoneGradeInput = Type.Object(
  {
    zoneId: ZoneIdSchema,
    side: SideSchema,
    grade: Type.Integer({ minimum: 0, maximum: 4 }),
    modality: GradeModality,
  },
  strict,
);

export const FacialAnalysis = Type.Object({
  photoId: Id,
  method: Nullable(Type.String({ description: 'The analysis method the findings were made with; null when stored before methods were recorded' })),
  methodCurrent: Type.Boolean({ description: 'Whether that is the method Contour analyses with now; if not, analyse the photo again before comparing its figures with newer ones' }),
  width: Type.Integer(),
  height: Type.Integer(),
  landmarks: Type.Array(Type.Array(Type.Number(), { minItems: 3, maxItems: 3 })),
  scale: Nullable(PixelScale),
  measurements: Type.Array(Measurement),
  notMeasurable: Type.Array(NotMeasurable),
  zones: Type.Array(ZoneFinding),
  grades: Type.Array(ZoneGrade),
});

const Kappa = Type.Object({ kappa: Nullable(Type.Number()), n: Type.Integer() });
export const GradingAgreement = Type.Object({
  method: Type.String({ description: 'The analysis method whose estimates are compared' }),
  overall: Kappa,
  zones: Type.Array(Type.Object({ zoneId: ZoneIdSchema, kappa: Nullable(Type.Number()), n: Type.Integer() })),
  earlierMethod: Type.Integer({ description: 'Grades left out: their photos were analysed with an earlier method' }),
});

export const PhotoCompliance = Type.Object({
  items: Type.Array(
    Type.Object({ month: Type.String(), patientsPhotographed: Type.Integer(), compliant: Type.Integer(), share: Type.Number() }),
  ),
});

export const SessionParams = Type.Object({ sessionId: Id }, strict);
export const PhotoParams = Type.Object({ photoId: Id }, strict);
