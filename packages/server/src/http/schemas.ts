/**
 * TypeBox contracts shared by the routes: one object drives request validation, response
 * serialisation (undeclared fields never leave the server) and the OpenAPI document.
 */
import { Type, type TSchema } from 'typebox';
import { ACQUISITION_CHANNELS, CONSENT_TYPES, PURPOSE_NAMES, ROLES, SEXES } from '@contour/domain';

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
});

export const Items = <T extends TSchema>(item: T) => Type.Object({ items: Type.Array(item) });
export const PatientParams = Type.Object({ patientId: Id }, strict);
