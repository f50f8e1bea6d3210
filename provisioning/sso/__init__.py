"""SAML 2.0 single sign-on, as pure functions: no database, no network.

- ``saml``: python3-saml's settings dict, request data, AuthnRequests and SP metadata.
- ``metadata``: IdP metadata XML -> the settings fields it determines.
- ``certificates``: the IdP's signing certificate as pasted, and fingerprints.
- ``steps``, ``check``, ``errors``: validating a SAML response step by step.
- ``report``: attributes as the portal reads them, and the "Save and check" report.

``provisioning.sso_services`` holds the use cases, ``provisioning.sso_views`` the HTTP side.
"""
