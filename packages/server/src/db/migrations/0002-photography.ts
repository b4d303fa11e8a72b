import { sql, type Kysely } from 'kysely';

/**
 * Clinical photography: each clinic's photo protocol, photo sessions (a patient's visit) and their photos.
 * The image bytes live in patient_file (encrypted, kinds 'photo' and 'photo-thumbnail'); a photo row holds
 * what analysis found (quality verdict, pose, measurements, landmarks, consistency with the baseline).
 */
const statements = [
  sql`CREATE TABLE photo_protocol (
    organisation_id uuid PRIMARY KEY REFERENCES organisation(id),
    protocol jsonb NOT NULL,
    updated_by uuid NOT NULL REFERENCES app_user(id),
    updated_at timestamptz NOT NULL DEFAULT now()
  )`,
  sql`CREATE TABLE photo_session (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    patient_id uuid NOT NULL REFERENCES patient(id),
    visit_date date NOT NULL,
    location_id uuid REFERENCES location(id),
    notes text NOT NULL DEFAULT '',
    created_by uuid NOT NULL REFERENCES app_user(id),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  sql`CREATE INDEX photo_session_patient ON photo_session (organisation_id, patient_id, visit_date DESC)`,
  sql`CREATE INDEX photo_session_month ON photo_session (organisation_id, visit_date)`,
  sql`CREATE TABLE photo (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisation(id),
    patient_id uuid NOT NULL REFERENCES patient(id),
    session_id uuid NOT NULL REFERENCES photo_session(id),
    view text NOT NULL,
    status text NOT NULL CHECK (status IN ('stored','queued','analysing','analysed','failed','not_analysed')),
    status_reason text,
    file_id uuid NOT NULL REFERENCES patient_file(id),
    thumbnail_file_id uuid NOT NULL REFERENCES patient_file(id),
    width integer NOT NULL,
    height integer NOT NULL,
    content_type text NOT NULL,
    byte_size integer NOT NULL,
    sha256 text NOT NULL,
    analysis_token uuid,
    quality jsonb,
    quality_passed boolean,
    pose jsonb,
    measurements jsonb,
    landmarks jsonb,
    consistency jsonb,
    analysed_at timestamptz,
    superseded_at timestamptz,
    superseded_by uuid REFERENCES photo(id),
    created_by uuid NOT NULL REFERENCES app_user(id),
    created_at timestamptz NOT NULL DEFAULT now()
  )`,
  sql`CREATE INDEX photo_session_view ON photo (session_id, view)`,
  sql`CREATE INDEX photo_patient ON photo (organisation_id, patient_id, view)`,
  // One current photo per view and session: a retake supersedes the one before.
  sql`CREATE UNIQUE INDEX photo_current_view ON photo (session_id, view) WHERE superseded_at IS NULL`,
  // What the analysis queue picks up again after a restart.
  sql`CREATE INDEX photo_pending ON photo (status) WHERE status IN ('queued','analysing')`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  // One statement per query: PGlite's extended protocol refuses several in one.
  for (const statement of statements) await statement.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['photo', 'photo_session', 'photo_protocol']) await sql`DROP TABLE ${sql.table(table)}`.execute(db);
}
