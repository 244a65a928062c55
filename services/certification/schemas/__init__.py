"""Certification's request and response schemas, one module per resource.

Input schemas validate everything a client sends: a bad field is a 422 problem
naming it; query-string errors are 400.
"""
