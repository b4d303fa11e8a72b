/**
 * The clinic's treatment catalogue: products, units, prices, durations and per-zone dose ranges. A clinic
 * starts from the reference defaults (`DEFAULT_CATALOGUE`) and edits its own copy; every edit bumps the
 * version, which plan versions record so a plan can always say which prices and ranges it was made with.
 */
import { DEFAULT_CATALOGUE, validateCatalogue, type TreatmentCatalogue } from '@contour/domain';
import { badRequest } from '../errors.js';
import type { Scope, Trx } from './scope.js';

export interface StoredCatalogue {
  catalogue: TreatmentCatalogue;
  version: number;
  updatedAt: Date | null;
  /** True while the clinic still uses the reference defaults unchanged. */
  isDefault: boolean;
}

export class TreatmentCatalogues {
  constructor(private readonly scope: Scope) {}

  /** For other repositories: the catalogue in force, without its own audit entry. */
  async current(organisationId: string, executor: Trx | Scope['db'] = this.scope.db): Promise<StoredCatalogue> {
    const row = await executor
      .selectFrom('treatment_catalogue')
      .select(['catalogue', 'version', 'updated_at'])
      .where('organisation_id', '=', organisationId)
      .executeTakeFirst();
    if (!row) return { catalogue: DEFAULT_CATALOGUE, version: 0, updatedAt: null, isDefault: true };
    return { catalogue: row.catalogue as TreatmentCatalogue, version: row.version, updatedAt: row.updated_at, isDefault: false };
  }

  async get(): Promise<StoredCatalogue> {
    const actor = await this.scope.authorize('catalogue.read', 'catalogue.read', { entityType: 'treatment_catalogue' });
    return this.current(actor.organisationId);
  }

  async update(catalogue: TreatmentCatalogue): Promise<StoredCatalogue> {
    const actor = await this.scope.authorize('catalogue.manage', 'catalogue.update', { entityType: 'treatment_catalogue' });
    const problems = validateCatalogue(catalogue);
    if (problems.length > 0) throw badRequest('The treatment catalogue has problems.', problems.map((message) => ({ path: '/products', message })));
    return this.scope.write(actor, 'U', 'catalogue.update', async (trx) => {
      const { version } = await this.current(actor.organisationId, trx);
      const next = version + 1;
      const updatedAt = new Date();
      await trx
        .insertInto('treatment_catalogue')
        .values({ organisation_id: actor.organisationId, catalogue: JSON.stringify(catalogue), version: next, updated_by: actor.userId, updated_at: updatedAt })
        .onConflict((oc) =>
          oc.column('organisation_id').doUpdateSet({ catalogue: JSON.stringify(catalogue), version: next, updated_by: actor.userId, updated_at: updatedAt }),
        )
        .execute();
      return {
        result: { catalogue, version: next, updatedAt, isDefault: false },
        target: { entityType: 'treatment_catalogue', entityId: actor.organisationId, detail: { version: next, products: catalogue.products.length } },
      };
    });
  }
}
