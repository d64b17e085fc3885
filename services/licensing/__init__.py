"""Licensing: licenses, maintenance contracts, bindings, issuance audit, license-file signing."""
