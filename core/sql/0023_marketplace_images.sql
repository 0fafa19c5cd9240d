-- Product photos already in a shop's image store on the platform (integrations/outbox.h): the
-- platform's reference (Shopee image_id, Lazada image URL, TikTok Shop uri) for the SHA-256 of
-- our stored photo. A create sends each photo once per shop; a retry, or another product using
-- the same photo, reuses the reference instead of uploading again.
CREATE TABLE marketplace_images (
  shop_ref INTEGER NOT NULL REFERENCES marketplace_shops (id),
  photo_sha256 TEXT NOT NULL,
  image_ref TEXT NOT NULL,
  uploaded_at INTEGER NOT NULL,
  PRIMARY KEY (shop_ref, photo_sha256)
) WITHOUT ROWID;
