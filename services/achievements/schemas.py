"""marshmallow schemas of the achievements service: RPC input and output, events."""
