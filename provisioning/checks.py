"""System checks of provisioning's configuration, run by manage.py at start-up."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register

from provisioning import sso_services


@register(Tags.security)
def sso_needs_https_in_production(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if sso_services.https_sign_in_possible():
        return []
    return [
        Warning(
            "Single sign-on is off: PUBLIC_URL is not an https address.",
            hint=(
                "In production, SSO ties each sign-in to the browser that started it with a "
                "cookie sent only over https. Set PUBLIC_URL to the portal's https address "
                "(e.g. https://lms.example.com). SCIM provisioning is not affected."
            ),
            id="provisioning.W001",
        )
    ]
