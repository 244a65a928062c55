"""The feed: the log read back – pages, exports, a live tail and the ingest's status.

Every read is keyset-paged on ``seq`` (ascending): entries are only ever
appended, so a reader that remembers the last ``seq`` it saw resumes exactly
there, whichever way it reads (page, export or tail).
"""
