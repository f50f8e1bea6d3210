"""The provisioning log: the audit trail of every path (portal, back office, SCIM, SSO,
commands), filtered, paged, one event in detail, and the filtered rows as CSV.

What it shows of a change is each field's value before and after, never a secret: a field
that holds one (a password, a token, a hash) is shown as changed, whatever the row holds,
and text shaped like a SCIM token or a password hash is masked wherever it appears.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from accounts.models import AccountSettings, AuditEvent, Source
from accounts.permissions import portal_admin_required
from provisioning import services
from provisioning.forms import EventFilterForm

PER_PAGE = 50
# The Client filter suggests the clients of this many of the latest events: a bounded read of
# the newest rows (the created_at index), however long the log.
CLIENT_SUGGESTIONS_FROM = 1000
# A list row names this many changes at most, each value cut to this many characters.
CHANGES_IN_ROW = 5
VALUE_WIDTH = 40
DETAIL_WIDTH = 200
CSV_ROWS_PER_CHUNK = 500

# A field holding a secret, whatever its name's case or prefix (password, token_hash, ...).
SECRET_FIELD = re.compile(r"pass(word|wd|phrase)|secret|token|hash|pepper|private_?key", re.I)
# A SCIM API token, OAuth client secret or access token (provisioning.tokens:
# scim_<prefix>_<secret>, scimcs_..., scimat_...) keeps only its prefix; a password hash
# (Django's algorithm$...) is hidden whole.
TOKEN_TEXT = re.compile(r"\b(scim(?:at|cs)?_[0-9a-f]{8}_)[A-Za-z0-9_-]+")
HASH_TEXT = re.compile(
    r"\b(argon2|pbkdf2_sha256|pbkdf2_sha1|bcrypt_sha256|bcrypt|scrypt|sha1|md5)\$\S+"
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = (
    "time",
    "event",
    "outcome",
    "source",
    "actor",
    "address",
    "target",
    "changes",
    "detail",
)


@dataclass(frozen=True)
class ShownChange:
    """One changed field as the log shows it: its values as text, or ``members`` (a group's
    members added and removed), or neither (a secret, or a field recorded by name only)."""

    field: str
    before: str = ""
    after: str = ""
    has_values: bool = False
    members: str = ""

    @property
    def text(self) -> str:
        if self.members:
            return f"{self.field}: {self.members}"
        if not self.has_values:
            return f"{self.field}: changed"
        return f"{self.field}: {self.before} -> {self.after}"


@dataclass(frozen=True)
class ShownEvent:
    """A list row: the event and what it changed, in short."""

    event: AuditEvent
    changes: list[ShownChange]
    more_changes: int
    detail: str


def masked(text: str) -> str:
    """``text`` with every token, client secret and password hash in it masked."""
    return HASH_TEXT.sub("[hidden]", TOKEN_TEXT.sub(r"\1…", text))


def shortened(text: str, width: int | None) -> str:
    if width is None or len(text) <= width:
        return text
    return text[: width - 1] + "…"


def value_text(value: Any) -> str:
    """A recorded value as one line of text ("—" for none)."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(value_text(item) for item in value)
    if isinstance(value, Mapping):  # an element of a list (a phone number, an address)
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return " ".join(str(value).split())


def members_text(item: Mapping[str, Any]) -> str:
    """A group's members entry as the Groups pages word it: "2 added: alice, bob; 1 removed:
    carol …" (the entry names the first few of each; "…" stands for the rest)."""
    parts = []
    for verb in ("added", "removed"):
        count, names = item.get(verb) or 0, item.get(f"{verb}_names") or []
        if count:
            listed = f": {', '.join(map(str, names))}" if names else ""
            more = " …" if names and len(names) < count else ""
            parts.append(f"{count} {verb}{listed}{more}")
    return "; ".join(parts) or "none"


def shown_changes(event: AuditEvent, *, width: int | None = None) -> list[ShownChange]:
    """The event's changed fields, named as its source names them (a SCIM write by its SCIM
    attributes), their values cut to ``width`` characters."""
    names = services.SCIM_NAMES if event.source == Source.SCIM else {}
    return [_shown_change(item, names, width) for item in event.changes]


def _shown_change(
    item: Mapping[str, Any], names: Mapping[str, str], width: int | None
) -> ShownChange:
    recorded = str(item.get("field", ""))
    field = names.get(recorded, recorded)
    if SECRET_FIELD.search(recorded) or SECRET_FIELD.search(field):
        return ShownChange(field)
    if recorded == "members":
        return ShownChange(field, members=masked(members_text(item)))
    if "before" not in item and "after" not in item:
        return ShownChange(field)
    before, after = (masked(value_text(item.get(key))) for key in ("before", "after"))
    return ShownChange(field, shortened(before, width), shortened(after, width), has_values=True)


def shown_event(event: AuditEvent) -> ShownEvent:
    changes = shown_changes(event, width=VALUE_WIDTH)
    return ShownEvent(
        event=event,
        changes=changes[:CHANGES_IN_ROW],
        more_changes=max(len(changes) - CHANGES_IN_ROW, 0),
        detail=shortened(masked(event.detail), DETAIL_WIDTH),
    )


# Filters ---------------------------------------------------------------------------------------


def log_time_zone(request: HttpRequest) -> zoneinfo.ZoneInfo:
    """Where the log's days begin and end: the admin's own time zone, else the account's."""
    name = getattr(request.user, "time_zone", "") or AccountSettings.load().default_time_zone
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def filtered_events(form: EventFilterForm, zone: dt.tzinfo) -> QuerySet[AuditEvent]:
    """The events the (valid) form selects, newest first."""
    data = form.cleaned_data
    events = AuditEvent.objects.order_by("-created_at", "-pk")
    for name, column in (("source", "source"), ("outcome", "outcome"), ("action", "event_type")):
        if data[name]:
            events = events.filter(**{column: data[name]})
    if data["user"]:
        events = events.filter(
            Q(target_label__icontains=data["user"])
            | Q(target_user__username__icontains=data["user"])
        )
    if data["client"]:
        events = events.filter(actor_label__icontains=data["client"])
    start, end = form.period(zone)
    if start:
        events = events.filter(created_at__gte=start)
    if end:
        events = events.filter(created_at__lt=end)
    return events


def recent_clients() -> list[str]:
    """The clients of the latest events, for the Client filter to suggest."""
    latest = AuditEvent.objects.order_by("-created_at").values_list("actor_label", flat=True)
    return sorted(set(latest[:CLIENT_SUGGESTIONS_FROM]))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# Pages -----------------------------------------------------------------------------------------


@portal_admin_required
def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET)
    zone = log_time_zone(request)
    events = filtered_events(form, zone) if form.is_valid() else AuditEvent.objects.none()
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "rows": [shown_event(event) for event in page],
        "clients": recent_clients(),
        "query": _query_without_page(request),
        "zone": zone,
    }
    with timezone.override(zone):
        return render(request, "portal/events/list.html", context)


@portal_admin_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(AuditEvent.objects.select_related("target_user"), pk=pk)
    context = {"event": event, "changes": shown_changes(event), "detail": masked(event.detail)}
    with timezone.override(log_time_zone(request)):
        return render(request, "portal/events/detail.html", context)


@never_cache
@portal_admin_required  # type: ignore[arg-type]  # typed for HttpResponse; passes any through
def event_export(request: HttpRequest) -> HttpResponseBase:
    """The filtered events as CSV, written out as they are read (any length of log in
    bounded memory). Filters that do not validate go back to the list, which says why."""
    form = EventFilterForm(request.GET)
    if not form.is_valid():
        return redirect(f"{reverse('portal:event-list')}?{request.GET.urlencode()}")
    events = filtered_events(form, log_time_zone(request))
    response = StreamingHttpResponse(csv_chunks(events), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="provisioning-log.csv"'
    return response


# CSV -------------------------------------------------------------------------------------------


class _Line:
    """A file for ``csv.writer`` that hands back the line written instead of keeping it."""

    def write(self, line: str) -> str:
        return line


def csv_chunks(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The header, then the events' rows, a few hundred to a chunk."""
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_COLUMNS)
    chunk: list[str] = []
    for event in events.iterator(chunk_size=CSV_ROWS_PER_CHUNK):
        chunk.append(writer.writerow([safe_cell(cell) for cell in csv_row(event)]))
        if len(chunk) == CSV_ROWS_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def csv_row(event: AuditEvent) -> list[str]:
    return [
        event.created_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        event.event_label,
        event.get_outcome_display(),
        event.get_source_display(),
        event.actor_label,
        event.address or "",
        event.target_label,
        "; ".join(change.text for change in shown_changes(event)),
        masked(event.detail),
    ]


def safe_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it rather than runs it: quoted if it would start a
    formula."""
    return f"'{text}" if text.startswith(FORMULA_START) else text
