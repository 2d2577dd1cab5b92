"""marshmallow schemas of the identity service: RPC input and output, events."""
