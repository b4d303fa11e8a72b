import { sql, type Kysely } from 'kysely';

/**
 * Outcome simulation (issue 6): each rendered simulation of a plan on a frontal photo, labelled as a projection.
 * The labelled JPEG is an encrypted patient file; this row records what it was made from (plan version, photo
 * and its SHA-256), how (renderer, variant, intensity, clinician maxima) and what it intended to change.
 */
const statements = [
  sql`CREATE TABLE simulation (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    patient_id uuid NOT NULL REFERENCES patient(id),
    photo_id uuid NOT NULL REFERENCES photo(id),
    plan_version_id uuid NOT NULL REFERENCES plan_version(id),
    variant text NOT NULL CHECK (variant IN ('conservative','expected','upper')),
    intensity double precision NOT NULL CHECK (intensity > 0 AND intensity <= 1),
    item_keys jsonb NOT NULL,
    parameters jsonb NOT NULL,
    changes jsonb NOT NULL,
    label text NOT NULL CHECK (length(label) > 0),
    source_sha256 text NOT NULL,
    file_id uuid REFERENCES patient_file(id),
    width integer NOT NULL,
    height integer NOT NULL,
    created_by uuid NOT NULL REFERENCES app_user(id),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  sql`CREATE INDEX simulation_patient ON simulation (organisation_id, patient_id, created_at)`,
  sql`CREATE INDEX simulation_plan_version ON simulation (plan_version_id)`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE simulation`.execute(db);
}
