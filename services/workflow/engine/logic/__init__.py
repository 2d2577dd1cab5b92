"""The review engine's rules as plain functions over the caller's session: no Nameko, no
HTTP."""
