-- Photo copies made before the copies were stripped of their metadata: until then the WebP copies
-- kept the original's whole EXIF block, GPS position included. Every photo decoded from a JPEG,
-- PNG or WebP is listed here; `chophien serve` re-makes their copies from the stored original at
-- start (storefront/photos.h, remake_listed_photo_copies) and takes each off the list in the
-- transaction that replaces its copies. Copies of a listed photo are never served. The demo's SVG
-- tiles have no copies and no metadata: they are not listed. A row goes with its photo_blobs row.
CREATE TABLE photo_copies_to_strip (
  sha256 TEXT PRIMARY KEY REFERENCES photo_blobs (sha256) ON DELETE CASCADE
) WITHOUT ROWID;

INSERT INTO photo_copies_to_strip (sha256)
SELECT DISTINCT ph.sha256 FROM product_photos ph
WHERE ph.content_type IN ('image/jpeg', 'image/png', 'image/webp');
