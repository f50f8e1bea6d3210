from tests.portal.conftest import portal_admin  # noqa: F401
from tests.provisioning.conftest import scim, scim_token  # noqa: F401 - shared
