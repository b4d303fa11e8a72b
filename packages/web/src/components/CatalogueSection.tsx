import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { formatDateTime, formatDoseRange, formatMoney } from '../format';
import { useResource, useSubmission } from '../hooks';
import { TREATMENT_CLASS_LABELS, ZONE_LABELS } from '../labels';
import type { CatalogueProduct, StoredCatalogue, TreatmentCatalogue } from '../types';
import { ProblemMessage } from './Problem';

/**
 * The clinic's treatment catalogue: products, prices and the per-zone dose ranges plans are made with.
 * Owners and administrators edit prices and which products are offered; every save is a new version.
 */
export function CatalogueSection({ mayEdit }: { mayEdit: boolean }) {
  const stored = useResource<StoredCatalogue>('/api/catalogue');
  const [draft, setDraft] = useState<TreatmentCatalogue | null>(null);
  const [saved, setSaved] = useState(false);
  const submission = useSubmission();
  const data = stored.data;
  const catalogue = draft ?? data?.catalogue ?? null;

  const edit = (productId: string, change: Partial<CatalogueProduct>) => {
    if (!catalogue) return;
    setSaved(false);
    setDraft({ ...catalogue, products: catalogue.products.map((product) => (product.id === productId ? { ...product, ...change } : product)) });
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!draft) return;
    const done = await submission.run(async () => {
      stored.setData(await api.put<StoredCatalogue>('/api/catalogue', draft));
    });
    if (done) {
      setDraft(null);
      setSaved(true);
    }
  };

  return (
    <section className="card" aria-labelledby="catalogue-heading" data-testid="catalogue">
      <h2 id="catalogue-heading">Treatment catalogue</h2>
      <p className="hint">
        Products, prices and typical dose ranges per zone that plans are made with. Doses are references for the
        clinician, not prescriptions; each plan records the catalogue version it used.
      </p>
      <ProblemMessage error={stored.error} />
      {data && catalogue && (
        <form onSubmit={(event) => void submit(event)} aria-label="Treatment catalogue">
          <p className="muted">
            Version {data.version}
            {data.isDefault ? ' (the reference defaults; example prices)' : `, saved ${formatDateTime(data.updatedAt)}`} · prices in{' '}
            {catalogue.currency}
          </p>
          <div className="table-wrap">
            <table className="table catalogue-table">
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col" className="num">Price per unit</th>
                  <th scope="col">Dose ranges</th>
                  <th scope="col">Offered</th>
                </tr>
              </thead>
              <tbody>
                {catalogue.products.map((product) => (
                  <tr key={product.id} data-product={product.id}>
                    <th scope="row">
                      {product.brand}
                      <span className="muted small block">
                        {product.genericName} · {TREATMENT_CLASS_LABELS[product.treatmentClass]} · lasts about {product.typicalDurationMonths}{' '}
                        months
                      </span>
                    </th>
                    <td className="num nowrap">
                      {mayEdit ? (
                        <input type="number" min={0} step="any" inputMode="decimal" className="price-input" value={product.pricePerUnit}
                          aria-label={`Price per ${product.unit} of ${product.brand}`}
                          onChange={(e) => edit(product.id, { pricePerUnit: Number(e.target.value) })} />
                      ) : (
                        formatMoney(product.pricePerUnit, catalogue.currency)
                      )}
                      <span className="muted small block">per {product.unit === 'session' ? 'session' : product.unit}</span>
                    </td>
                    <td>
                      <ul className="dose-list">
                        {product.zones.map((zone) => (
                          <li key={zone.zoneId} title={zone.source}>
                            {ZONE_LABELS[zone.zoneId]}: {formatDoseRange({ min: zone.min, max: zone.max, unit: product.unit })}
                            {zone.perSide && ' per side'}{' '}
                            <span className={`badge${zone.label === 'off-label' ? ' warn' : ' subtle'}`}>{zone.label}</span>
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td>
                      {mayEdit ? (
                        <input type="checkbox" checked={product.active} aria-label={`Offer ${product.brand}`}
                          onChange={(e) => edit(product.id, { active: e.target.checked })} />
                      ) : product.active ? (
                        'Yes'
                      ) : (
                        'No'
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ProblemMessage error={submission.error} />
          {saved && (
            <p className="notice" role="status">
              Saved as version {data.version}.
            </p>
          )}
          {mayEdit && (
            <div className="button-row">
              <button type="submit" className="button primary" disabled={!draft || submission.busy}>
                Save the catalogue
              </button>
              {draft && (
                <button type="button" className="button secondary" onClick={() => setDraft(null)}>
                  Discard changes
                </button>
              )}
            </div>
          )}
        </form>
      )}
    </section>
  );
}
