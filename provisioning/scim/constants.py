"""SCIM 2.0 constants: schema URNs and the media type (RFC 7643 §8.7, RFC 7644 §3.1, §8.1)."""

MEDIA_TYPE = "application/scim+json"

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
# Our own extension: what an LMS adds to a user (the branch it belongs to).
LMS_USER_SCHEMA = "urn:ietf:params:scim:schemas:extension:lms:2.0:User"

LIST_RESPONSE = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
SEARCH_REQUEST = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"

SERVICE_PROVIDER_CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"

EXTENSION_SCHEMAS = (ENTERPRISE_USER_SCHEMA, LMS_USER_SCHEMA)

# Paging (RFC 7644 §3.4.2.4): advertised in ServiceProviderConfig as filter.maxResults.
DEFAULT_COUNT = 100
MAX_COUNT = 200

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
# Our extension of a group: its description.
LMS_GROUP_SCHEMA = "urn:ietf:params:scim:schemas:extension:lms:2.0:Group"
# Okta's Group Push sends the description under a URN of its own (quirks.GROUP_EXTENSIONS).
OKTA_GROUP_SCHEMA = "urn:okta:custom:group:1.0"
