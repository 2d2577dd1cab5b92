"""marshmallow schemas of the documents service: RPC input and output, events."""
