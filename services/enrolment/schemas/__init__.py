"""Request and response schemas of the enrolment API, one module per resource.

Requests: per-field rules here (lengths, ranges, formats → 422 with field errors);
rules needing the database, the policy or several fields are the domain's.
"""
