import {
  DEFAULT_PROTOCOL,
  THRESHOLD_RANGES,
  findView,
  protocolProblems,
  type PhotoProtocol,
  type QualityThresholds,
  type ViewSpec,
} from '@contour/domain';
import type { Db } from '../db/database.js';
import { badRequest } from '../errors.js';
import type { Scope, Trx } from './scope.js';

/**
 * The clinic's own protocol, or the default. A protocol saved before a threshold existed takes that
 * threshold's default. Internal: callers have authorized already.
 */
export async function protocolFor(executor: Db | Trx, organisationId: string): Promise<PhotoProtocol> {
  const row = await executor.selectFrom('photo_protocol').select('protocol').where('organisation_id', '=', organisationId).executeTakeFirst();
  if (!row) return DEFAULT_PROTOCOL;
  const stored = row.protocol as PhotoProtocol;
  return { ...stored, thresholds: { ...DEFAULT_PROTOCOL.thresholds, ...stored.thresholds } };
}

/**
 * The spec a stored photo is judged by: the clinic's view, or (for a view the clinic has since removed
 * from its protocol) the default one, marked optional.
 */
export function viewSpecFor(protocol: PhotoProtocol, viewId: string): ViewSpec | undefined {
  const own = findView(protocol, viewId);
  if (own) return own;
  const fallback = findView(DEFAULT_PROTOCOL, viewId);
  return fallback ? { ...fallback, required: false } : undefined;
}

export class PhotoProtocols {
  constructor(private readonly scope: Scope) {}

  async get(): Promise<PhotoProtocol> {
    const actor = await this.scope.authorize('photo.read', 'photoProtocol.read', { entityType: 'photo_protocol' });
    const protocol = await protocolFor(this.scope.db, actor.organisationId);
    await this.scope.record(actor, 'R', 'photoProtocol.read', { entityType: 'photo_protocol', entityId: actor.organisationId });
    return protocol;
  }

  async update(protocol: PhotoProtocol): Promise<PhotoProtocol> {
    const target = { entityType: 'photo_protocol' };
    const actor = await this.scope.authorize('photoProtocol.manage', 'photoProtocol.update', target);
    const problems = protocolProblems(protocol);
    if (problems.length > 0) throw badRequest('The photo protocol is not valid.', problems);
    // Only the known fields are kept, whatever else a caller sends.
    const clean: PhotoProtocol = {
      name: protocol.name.trim(),
      views: protocol.views.map((v) => ({
        id: v.id,
        label: v.label.trim(),
        yaw: v.yaw,
        yawTolerance: v.yawTolerance,
        pitchTolerance: v.pitchTolerance,
        rollTolerance: v.rollTolerance,
        expression: v.expression,
        required: v.required,
      })),
      thresholds: Object.fromEntries(
        Object.keys(THRESHOLD_RANGES).map((name) => [name, protocol.thresholds[name as keyof QualityThresholds]]),
      ) as unknown as QualityThresholds,
    };
    return this.scope.write(actor, 'U', 'photoProtocol.update', async (trx) => {
      const values = { protocol: JSON.stringify(clean), updated_by: actor.userId, updated_at: new Date() };
      await trx
        .insertInto('photo_protocol')
        .values({ organisation_id: actor.organisationId, ...values })
        .onConflict((oc) => oc.column('organisation_id').doUpdateSet(values))
        .execute();
      return {
        result: clean,
        target: {
          ...target,
          entityId: actor.organisationId,
          detail: { views: clean.views.map((v) => v.id), required: clean.views.filter((v) => v.required).length },
        },
      };
    });
  }
}
