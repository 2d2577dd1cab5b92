"""marshmallow schemas of the workflow service: RPC input and output, events."""
