"""Groups under load: what a member change, a lookup and a full read cost as a group grows.

Against any SCIM 2.0 server (``--base-url``, ``--token``) whose users already exist (at least
the largest size plus ``--repeat``): for each group size, one group is created and filled by
PATCHes of 1,000 members each; then, one request at a time:

  add1       PATCH add of one member (path "members", a value list), ``--repeat`` times
  remove1    PATCH remove of that member by filter (members[value eq "..."])
  add1000    the filling PATCHes, 1,000 members each
  getexcl    GET /Groups/{id}?excludedAttributes=members
  lookup     GET /Groups?filter=displayName eq "..."&startIndex=1&count=100 (Okta's check)
  getfull    GET /Groups/{id}: every member listed (checked: count and ids)
  put1       PUT of the whole member list with one member swapped (sizes up to 10,000):
             checked by reading the group back
  delete     DELETE /Groups/{id}

Each answer's status is checked; a wrong body counts as a mismatch. Every loop is bounded by
its count; the client reads each answer whole. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any
from urllib.parse import quote

from okta_load import Client

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
FILL = 1000
PUT_LIMIT = 10_000


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))], 2)


class Tally:
    def __init__(self) -> None:
        self.ms: list[float] = []
        self.errors = 0
        self.mismatches = 0
        self.statuses: dict[int, int] = {}
        self.bytes = 0

    def add(self, status: int, ms: float, ok: bool, good: bool = True) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if not ok:
            self.errors += 1
            return
        self.ms.append(ms)
        if not good:
            self.mismatches += 1

    def summary(self) -> dict[str, Any]:
        return {
            "requests": len(self.ms) + self.errors,
            "errors": self.errors,
            "mismatches": self.mismatches,
            "statuses": self.statuses,
            "p50_ms": percentile(self.ms, 0.5),
            "p95_ms": percentile(self.ms, 0.95),
            "max_ms": round(max(self.ms), 2) if self.ms else None,
            **({"bytes": self.bytes} if self.bytes else {}),
        }


def user_ids(client: Client, needed: int) -> list[str]:
    """The ids of the first ``needed`` users, paged by 100 (every server serves 100)."""
    ids: list[str] = []
    start = 1
    while len(ids) < needed:
        status, body = client.send("GET", f"/Users?startIndex={start}&count=100")
        resources = body.get("Resources") or [] if status == 200 else []
        if not resources:
            break
        ids += [str(r["id"]) for r in resources]
        start += len(resources)
    if len(ids) < needed:
        raise SystemExit(f"{needed} users needed, the server has {len(ids)}.")
    return ids[:needed]


def patch(operations: list[dict[str, Any]]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": operations}


def members(ids: list[str]) -> list[dict[str, str]]:
    return [{"value": i} for i in ids]


def listed_ids(body: dict[str, Any]) -> list[str]:
    return [m.get("value") for m in body.get("members") or []]


def run_size(client: Client, size: int, ids: list[str], extra: list[str], repeat: int) -> dict:
    tallies = {name: Tally() for name in ("add1", "remove1", "add1000", "getexcl", "lookup")}
    name = f"bench-group-{size}-{int(time.time())}"
    created = client.exchange("POST", "/Groups", {"schemas": [GROUP], "displayName": name})
    if created.status != 201:
        return {"error": f"create answered {created.status}: {created.body}"}
    group = f"/Groups/{created.body['id']}"
    for start in range(0, size, FILL):
        answer = client.exchange(
            "PATCH",
            group,
            patch([{"op": "add", "path": "members", "value": members(ids[start : start + FILL])}]),
        )
        tallies["add1000"].add(answer.status, answer.ms, answer.status in (200, 204))
    for member in extra[:repeat]:
        added = client.exchange(
            "PATCH", group, patch([{"op": "add", "path": "members", "value": members([member])}])
        )
        tallies["add1"].add(added.status, added.ms, added.status in (200, 204))
        removed = client.exchange(
            "PATCH", group, patch([{"op": "remove", "path": f'members[value eq "{member}"]'}])
        )
        tallies["remove1"].add(removed.status, removed.ms, removed.status in (200, 204))
    lookup = f"/Groups?filter={quote(f'displayName eq {json.dumps(name)}')}&startIndex=1&count=100"
    for _ in range(repeat):
        answer = client.exchange("GET", f"{group}?excludedAttributes=members")
        tallies["getexcl"].add(
            answer.status, answer.ms, answer.status == 200, "members" not in answer.body
        )
        answer = client.exchange("GET", lookup)
        tallies["lookup"].add(
            answer.status, answer.ms, answer.status == 200, answer.body.get("totalResults") == 1
        )
    full = Tally()
    for _ in range(3):
        answer = client.exchange("GET", group)
        got = listed_ids(answer.body)
        full.add(answer.status, answer.ms, answer.status == 200, sorted(got) == sorted(ids[:size]))
        full.bytes = len(json.dumps(answer.body))
    result = {name: tally.summary() for name, tally in tallies.items()}
    result["getfull"] = full.summary()
    if size <= PUT_LIMIT and extra:
        wanted = [*ids[1:size], extra[0]]
        put = Tally()
        answer = client.exchange(
            "PUT", group, {"schemas": [GROUP], "displayName": name, "members": members(wanted)}
        )
        back = client.exchange("GET", group)
        put.add(
            answer.status,
            answer.ms,
            answer.status == 200,
            sorted(listed_ids(back.body)) == sorted(wanted),
        )
        result["put1"] = put.summary()
    deleted = client.exchange("DELETE", group)
    result["delete"] = {"status": deleted.status, "ms": round(deleted.ms, 2)}
    return result


def table(results: dict[str, dict], label: str) -> str:
    lines = [
        f"{label}",
        f"{'size':>7} {'step':<9} {'reqs':>5} {'err':>4} {'mism':>4} {'p50 ms':>9} "
        f"{'p95 ms':>9} {'max ms':>9} {'bytes':>10}",
    ]
    for size, result in results.items():
        if "error" in result:
            lines.append(f"{size:>7} {result['error']}")
            continue
        for step, s in result.items():
            if step == "delete":
                lines.append(f"{size:>7} {step:<9} status {s['status']}, {s['ms']} ms")
                continue
            lines.append(
                f"{size:>7} {step:<9} {s['requests']:>5} {s['errors']:>4} {s['mismatches']:>4} "
                f"{s['p50_ms'] or 0:>9.2f} {s['p95_ms'] or 0:>9.2f} {s['max_ms'] or 0:>9.2f} "
                f"{s.get('bytes', ''):>10}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--label", default="groups")
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    with closing(Client(args.base_url, args.token)) as client:
        everyone = user_ids(client, max(sizes) + args.repeat)
        ids, extra = everyone[: max(sizes)], everyone[max(sizes) :]
        results = {size: run_size(client, size, ids, extra, args.repeat) for size in sizes}
    report = table(results, args.label)
    if args.json_out:
        args.json_out.write_text(json.dumps({"label": args.label, "sizes": results}, indent=1))
    print(report)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
