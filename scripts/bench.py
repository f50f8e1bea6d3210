"""`make bench`: the SCIM API under gunicorn on SQLite and PostgreSQL, beside the ceiling.

For each database: a fresh database, migrated, optionally seeded with extra users, SCIM enabled
and a token issued; gunicorn (2 sync workers) on a free loopback port; then scripts/bench_client.py
sends Okta-shaped traffic (create, lookup, get, patch, put, import, duplicates). The ceiling (a
fixed-JSON Django view with the same settings, scripts/ceiling.py) is measured in the same run,
before and after each database (the machine is shared: its speed drifts), and the table gives
lookup and get as a fraction of the faster of the two ceiling runs around them. The import
(every user, paged by 100) then runs once more alone, with each worker's resident memory
sampled from its first page to its last, so the table says whether memory stays flat.

PostgreSQL is used when DATABASE_URL is set (scripts/with-postgres sets it to a throwaway
cluster). Every server started here is stopped again; every load loop is bounded by the client.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench_servers import (
    PYTHON,
    ROOT,
    Server,
    WorkerMemory,
    database_env,
    gunicorn,
    manage,
    prepare,
)

CLIENT = ROOT / "scripts" / "bench_client.py"
GROUPS_CLIENT = ROOT / "scripts" / "bench_groups.py"


def load(
    port: int, token: str, args: argparse.Namespace, out: Path, label: str, *extra: str
) -> dict:
    """The load client in a process of its own (so that its threads never slow down this one's
    memory sampling); its figures per phase."""
    command = [
        PYTHON,
        str(CLIENT),
        "--base-url",
        f"http://127.0.0.1:{port}/api/scim2",
        "--token",
        token,
        "--users",
        str(args.users),
        "--concurrency",
        str(args.concurrency),
        "--label",
        label,
        "--json-out",
        str(out),
        *(["--phases", args.phases] if args.phases and label != "ceiling" else []),
        *extra,
    ]
    subprocess.run(command, check=True, timeout=3600)
    return json.loads(out.read_text())["phases"]


def load_groups(port: int, token: str, args: argparse.Namespace, out: Path, label: str) -> str:
    """The groups client (scripts/bench_groups.py) against the same server; its table."""
    command = [
        PYTHON,
        str(GROUPS_CLIENT),
        "--base-url",
        f"http://127.0.0.1:{port}/api/scim2",
        "--token",
        token,
        "--sizes",
        args.group_sizes,
        "--repeat",
        str(args.group_repeat),
        "--label",
        label,
        "--json-out",
        str(out),
    ]
    result = subprocess.run(command, check=True, timeout=3600, capture_output=True, text=True)
    return result.stdout


def run_database(kind: str, args: argparse.Namespace, workdir: Path) -> dict:
    env = database_env(kind, workdir / kind)
    token = prepare(env, seed=args.seed)
    with gunicorn(env, "lms.wsgi", args.workers) as server:
        phases = load(server.port, token, args, workdir / f"{kind}.json", f"lms / {kind}")
        groups = run_groups(env, server, token, args, workdir, kind)
        if "import" not in phases:
            return {"phases": phases, "groups": groups}
        # The import once more, alone, with the workers' memory sampled from its first page.
        with WorkerMemory(server.pid) as memory:
            again = load(
                server.port,
                token,
                args,
                workdir / f"{kind}-import.json",
                f"lms / {kind}",
                "--phases",
                "import",
            )
    return {
        "phases": phases,
        "import again": again["import"],
        "memory": memory.summary(),
        "groups": groups,
    }


def run_groups(
    env: dict[str, str],
    server: Server,
    token: str,
    args: argparse.Namespace,
    workdir: Path,
    kind: str,
) -> str:
    """Groups of each size in ``--group-sizes`` (after the users' phases, so that the users
    seeded for them leave those untouched), with the workers' memory sampled throughout (a
    whole group is written out as it is read: memory stays flat however large); "" when none
    is asked for."""
    sizes = [int(size) for size in args.group_sizes.split(",") if size]
    if not sizes:
        return ""
    manage(env, "seed_users", "--count", str(max(sizes) + args.group_repeat), "--prefix", "groups")
    with WorkerMemory(server.pid) as memory:
        report = load_groups(
            server.port, token, args, workdir / f"{kind}-groups.json", f"groups / {kind}"
        )
    sampled = memory.summary()
    if sampled["start"]:
        report += (
            f"groups / {kind}: memory per worker, MiB: at the start "
            f"{' / '.join(map(str, sampled['start']))}, peak "
            f"{' / '.join(map(str, sampled['peak']))}, at the end "
            f"{' / '.join(map(str, sampled['end']))}\n"
        )
    return report


def run_ceiling(args: argparse.Namespace, workdir: Path, name: str) -> dict:
    env = {**database_env("sqlite", workdir / "ceiling"), "PYTHONPATH": str(ROOT / "scripts")}
    with gunicorn(env, "ceiling:application", args.workers) as server:
        return load(
            server.port,
            "ceiling",
            args,
            workdir / f"{name}.json",
            "ceiling",
            "--phases",
            "lookup,get",
            "--no-verify",
        )


def faster_ceiling(before: dict, after: dict) -> dict:
    """Per phase, the faster of the two ceiling runs around a database's run (so a ceiling run
    slowed down by other work on the machine never flatters the ratio)."""
    return {
        name: {"req_per_s": max(before[name]["req_per_s"], after[name]["req_per_s"])}
        for name in before
    }


def row(kind: str, name: str, p: dict, ceiling: dict | None) -> str:
    ratio = (
        f"{p['req_per_s'] / ceiling[name]['req_per_s']:>10.0%}"
        if ceiling and name in ceiling and p["req_per_s"]
        else f"{'':>10}"
    )
    return (
        f"{kind:<10} {name:<10} {p['requests']:>6} {p['errors']:>6} "
        f"{p['mismatches']:>5} {p['req_per_s'] or 0:>8.1f} "
        f"{p['p50_ms'] or 0:>8.2f} {p['p99_ms'] or 0:>8.2f} {ratio}"
    )


def table(results: dict[str, dict], ceilings: list[dict]) -> str:
    """Req/s, p50/p99 per phase; lookup and get as a fraction of the ceiling's throughput
    (the faster of the ceiling runs just before and just after that database's run)."""
    lines = [
        f"{'database':<10} {'phase':<10} {'reqs':>6} {'errors':>6} {'mism':>5} "
        f"{'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'of ceiling':>10}"
    ]
    for n, ceiling in enumerate(ceilings):
        lines += [row(f"ceiling {n + 1}", name, p, None) for name, p in ceiling.items()]
    for n, (kind, result) in enumerate(results.items()):
        around = faster_ceiling(ceilings[n], ceilings[n + 1])
        lines += [row(kind, name, p, around) for name, p in result["phases"].items()]
    for kind, result in results.items():
        for name in ("import", "import again"):
            phase = result["phases"].get(name) or result.get(name) or {}
            if pages := phase.get("page_ms"):
                ordered = sorted(pages)
                over = sum(1 for ms in pages if ms > 1.5 * pages[0])
                lines.append(
                    f"{kind} {name}: {len(pages)} pages, first {pages[0]:.1f} ms, median "
                    f"{ordered[len(pages) // 2]:.1f} ms, last {pages[-1]:.1f} ms, p99 "
                    f"{ordered[int(len(pages) * 0.99)]:.1f} ms, slowest {ordered[-1]:.1f} ms, "
                    f"{over} over 1.5x the first"
                )
        if result.get("groups"):
            lines.append(result["groups"].rstrip())
        if (memory := result.get("memory")) and memory["start"]:
            lines.append(
                f"{kind} memory per worker during the import again, MiB: at its start "
                f"{' / '.join(map(str, memory['start']))}, peak "
                f"{' / '.join(map(str, memory['peak']))}, at its end "
                f"{' / '.join(map(str, memory['end']))}"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=2000, help="users the client creates")
    parser.add_argument("--seed", type=int, default=0, help="extra users seeded beforehand")
    parser.add_argument("--db", default="sqlite,postgres", help="sqlite, postgres or both")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    parser.add_argument("--phases", default="", help="the client's phases (default: all)")
    parser.add_argument(
        "--group-sizes",
        default="1000,10000,50000",
        help="group sizes the groups client measures ('' for none)",
    )
    parser.add_argument("--group-repeat", type=int, default=50)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    try:
        ceilings = [run_ceiling(args, workdir, "ceiling-1")]
        results = {}
        for n, kind in enumerate(args.db.split(","), start=2):
            results[kind] = run_database(kind, args, workdir)
            ceilings.append(run_ceiling(args, workdir, f"ceiling-{n}"))
        report = table(results, ceilings)
        args.out.mkdir(parents=True, exist_ok=True)
        for source in workdir.glob("*.json"):
            shutil.copy(source, args.out / source.name)
        (args.out / "table.txt").write_text(report + "\n")
        print("\n" + report)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
