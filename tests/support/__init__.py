"""What the tests share, one module a role:

- ``emulated``: where the in-process emulators answer (their base URL).
- ``service``: the backend in-process with both emulators behind it; its job queue,
  and a wait until every accepted job has run.
- ``commands``: the CLI run in an environment of the test's own.
- ``served``: an ASGI app on a real loopback socket.
- ``writes``: the write-path steps every action is tested with.
- ``faults``: the named fault setups (a lost answer, an outage, a rate limit...).
- ``sleeps``: a stand-in for ``asyncio.sleep`` that records the waits.
- ``recorded``: the vendors' recorded answers under ``tests/fixtures/``.

Fixtures stay in the ``conftest.py`` files; these are plain imports.
"""
