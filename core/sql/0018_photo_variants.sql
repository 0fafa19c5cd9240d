-- Resized copies of product photos, made once when the photo is uploaded (storefront/photos.cc) and
-- served by /anh/{sha256}-{width}.{format}. They go with their photo_blobs row. `width` and `height`
-- are the copy's pixels (never larger than the original); `format` is webp or jpg.
CREATE TABLE photo_variants (
  id INTEGER PRIMARY KEY,
  sha256 TEXT NOT NULL REFERENCES photo_blobs (sha256) ON DELETE CASCADE,
  width INTEGER NOT NULL CHECK (width BETWEEN 1 AND 4096),
  height INTEGER NOT NULL CHECK (height BETWEEN 1 AND 16384),
  format TEXT NOT NULL CHECK (format IN ('webp', 'jpg')),
  data BLOB NOT NULL,
  UNIQUE (sha256, width, format)
);
