"""Audit's request and response schemas (marshmallow), one module per resource.

Input schemas validate everything a client sends: a bad query parameter is a
400 problem naming it, a bad body field a 422.
"""
