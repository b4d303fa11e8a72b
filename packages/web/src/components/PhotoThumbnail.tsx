import { useObjectUrl } from '../hooks';

/** A photo's thumbnail, fetched with the session cookie; the address never names the patient. */
export function PhotoThumbnail({ photoId, alt }: { photoId: string; alt: string }) {
  const { url, error } = useObjectUrl(`/api/photos/${photoId}/thumbnail`);
  if (error) {
    return (
      <div className="photo-frame missing" role="img" aria-label={alt}>
        <span className="muted">Thumbnail not available</span>
      </div>
    );
  }
  return (
    <div className="photo-frame">
      {url ? (
        <img src={url} alt={alt} data-testid="photo-thumbnail" />
      ) : (
        <span className="spinner" role="img" aria-label="Loading the thumbnail" />
      )}
    </div>
  );
}
