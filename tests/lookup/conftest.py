from tests.web.conftest import service

__all__ = ["service"]
