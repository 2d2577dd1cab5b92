"""What services tell each other: RPC request/answer schemas, event data schemas and the
code tables they need. A service imports ``services.common`` and ``services.contracts``,
never another service's package (``tests/test_boundaries.py`` enforces it)."""
