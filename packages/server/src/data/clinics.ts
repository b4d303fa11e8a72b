/**
 * Creating a clinic: the one write that happens before anyone can sign in. Used by first-run setup
 * in the browser and by `contour demo`; both go through here so a clinic always starts complete
 * (a location, an owner, version 1 of every consent form) and its audit chain starts with it.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { DEFAULT_CONSENT_TEMPLATES } from '@contour/domain';
import type { Db } from '../db/database.js';
import { conflict } from '../errors.js';
import type { AuditLog } from './audit-log.js';
import { isTimeZone } from './locations.js';
import { insertUser, type User } from './users.js';

export interface NewClinic {
  clinicName: string;
  locationName: string;
  timezone?: string;
  owner: { email: string; displayName: string; password: string };
}

export async function countOrganisations(db: Db): Promise<number> {
  const row = await db.selectFrom('organisation').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function createClinic(
  db: Db,
  auditLog: AuditLog,
  input: NewClinic,
  options: { sourceIp: string | null; onlyIfFirst: boolean },
): Promise<{ organisationId: string; owner: User }> {
  const timezone = input.timezone && isTimeZone(input.timezone) ? input.timezone : 'UTC';
  return db.transaction().execute(async (trx) => {
    if (options.onlyIfFirst) {
      // Serialises concurrent first-run requests: only one clinic can claim the empty installation.
      await sql`SELECT pg_advisory_xact_lock(hashtext('contour-setup'))`.execute(trx);
      const existing = await trx.selectFrom('organisation').select('id').limit(1).executeTakeFirst();
      if (existing) throw conflict('This Contour installation is already set up. Sign in instead.');
    }
    const organisationId = randomUUID();
    await trx.insertInto('organisation').values({ id: organisationId, name: input.clinicName.trim() }).execute();
    const locationId = randomUUID();
    await trx
      .insertInto('location')
      .values({ id: locationId, organisation_id: organisationId, name: input.locationName.trim(), timezone })
      .execute();
    const owner = await insertUser(trx, organisationId, { ...input.owner, role: 'owner' });
    await trx
      .insertInto('consent_template')
      .values(
        DEFAULT_CONSENT_TEMPLATES.map((t) => ({
          id: randomUUID(),
          organisation_id: organisationId,
          type: t.type,
          version: 1,
          title: t.title,
          body: t.body,
          valid_for_months: t.validForMonths,
          created_by: owner.id,
        })),
      )
      .execute();
    await auditLog.append(
      [
        {
          organisationId,
          actorUserId: owner.id,
          actorRole: 'owner',
          action: 'C',
          event: 'organisation.create',
          entityType: 'organisation',
          entityId: organisationId,
          outcome: 'success',
          sourceIp: options.sourceIp,
          detail: { locationId, consentTemplates: DEFAULT_CONSENT_TEMPLATES.length },
        },
      ],
      trx,
    );
    return { organisationId, owner };
  });
}
