from tests.portal.conftest import portal_admin  # noqa: F401
