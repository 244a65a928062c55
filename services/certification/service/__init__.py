"""Certification's use cases, one module per concern; each function holds its transaction."""
