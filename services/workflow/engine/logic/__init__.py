"""The workflow service's rules as plain functions: no Nameko, no HTTP."""
