-- An endpoint signs with an HMAC secret (the default) or, the asymmetric option, an Ed25519 key
-- pair: its private key is kept encrypted where the HMAC secret is (secret_ciphertext), and its
-- public key, which is not secret, is shown on the endpoint.
ALTER TABLE webhook_endpoints ADD COLUMN signature_scheme TEXT NOT NULL DEFAULT 'hmac_sha256';
ALTER TABLE webhook_endpoints ADD COLUMN public_key TEXT;
