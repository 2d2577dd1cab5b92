"""The declarations' rules as plain functions over the caller's session: no Nameko, no
HTTP, no other service."""
