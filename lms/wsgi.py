"""WSGI entry point (gunicorn lms.wsgi)."""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

application = get_wsgi_application()

# What is loaded by now (Django, the apps, and the views the URLconf imports, loaded here
# rather than by the first request) lives as long as the process. Frozen, it is left out of
# the garbage collector's full collections, which otherwise walk all of it and stall the
# request they fall on (the slowest pages of a large import; docs/performance.md).
get_resolver().url_patterns  # noqa: B018 (imports every view)
gc.collect()
gc.freeze()
