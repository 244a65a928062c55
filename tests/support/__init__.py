"""Test helpers: apps, clocks, runtimes and the shape every service has.

No pytest import here: service processes that tests start (``score relay`` of
``tests.support.pingpong``) import this package too. ``tests/conftest.py`` has
pytest rewrite the asserts of ``tests.support.shape``.
"""
