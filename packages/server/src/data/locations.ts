import { randomUUID } from 'node:crypto';
import type { Scope } from './scope.js';

export interface Location {
  id: string;
  name: string;
  address: string | null;
  timezone: string;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export class Locations {
  constructor(private readonly scope: Scope) {}

  async list(): Promise<Location[]> {
    const actor = await this.scope.authorize('location.read', 'location.list');
    return this.scope.db
      .selectFrom('location')
      .select(['id', 'name', 'address', 'timezone'])
      .where('organisation_id', '=', actor.organisationId)
      .orderBy('name')
      .execute();
  }

  async create(input: { name: string; address?: string | null; timezone?: string }): Promise<Location> {
    const actor = await this.scope.authorize('location.manage', 'location.create', { entityType: 'location' });
    return this.scope.write(actor, 'C', 'location.create', async (trx) => {
      const location = {
        id: randomUUID(),
        name: input.name.trim(),
        address: input.address?.trim() || null,
        timezone: input.timezone ?? 'UTC',
      };
      await trx.insertInto('location').values({ ...location, organisation_id: actor.organisationId }).execute();
      return { result: location, target: { entityType: 'location', entityId: location.id } };
    });
  }
}
