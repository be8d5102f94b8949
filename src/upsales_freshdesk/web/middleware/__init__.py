"""The ASGI middleware, one per file: the access log, the request body's size and
time limits, the security headers."""
