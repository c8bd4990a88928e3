-- Sign-ins through the identity provider (OIDC) are tokens that expire: milliseconds since the Unix epoch, null for API tokens.
ALTER TABLE tokens ADD COLUMN expires_at INTEGER;
