"""A/B testing proven by simulation: synthetic users with a known click model drive the real API.

Starts ``graphrec serve`` (uvicorn, 2 workers) on loopback against the dev instance's Neo4j and
Redis (its own Redis database), creates experiments through ``/v1/experiments`` and lets
simulated users request their home feed and click. The API owns assignment, the served-list
log, attribution and the report; the simulation owns only the click model:

    P(click on the title at rank r) = 0.15 · r^-0.5 · relevance(user, title) · 1.1^k

``relevance`` is a hidden, fixed draw in [0.3, 1.7] per (user, title) and ``k`` the number of
uplift experiments in which the user's variant (read from ``X-Experiment``) is ``treatment``:
each such treatment has a true +10 % relative CTR. Independent experiments are assigned
independently, so every one sees exactly +10 % on average. Clicks are posted to
``/v1/interactions`` with ``context {source, position, recommendation_id}``. Phases:

1. **uplift + A/A**: several +10 % experiments and 20 A/A experiments (two identical
   variants), all declared independent, run side by side over the same traffic (each A/A run is
   its own hash split of it). Rounds of users are simulated until every uplift experiment's
   report says its minimum detectable uplift is at most 10 % (the sample it needs); then each
   report's p-value is read. At that sample the power is 0.8: about 4 of 5 should be detected.
   The simulator also prints the true uplift on the lists actually served (its click model's
   expected CTRs). Clicks are independent across impressions here (no per-user effect), the
   model under which the report's pooled two-proportion test holds.
2. **skew**: a 50/50 experiment behind a broken client that loses 20 % of the treatment's users
   before they reach the API (it computes the same hash); the report's sample-ratio check.
3. **sticky**: a 50/30/20 experiment, N users × 3 requests (no clicks): variant switches seen
   in the responses and in the graph, and the observed shares.

    GRAPHREC_INSTANCE=absim-dev GRAPHREC_NEO4J_BOLT_PORT=7831 GRAPHREC_REDIS_PORT=6831 \
        python bench/ab_sim.py [--quick]

The dev instance needs users with history (``graphrec load synthetic --users 12000``); no
trained model is needed. The clicks it posts are deleted afterwards and its experiments are
left concluded (named ``sim<time>-…``).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import redis
from apiserver import api_server, headers, log_settled
from serve_latency import _bench_redis_url, _delete_events, _empty_redis

from graph.connection import connect
from graph.schema import sample_ids
from learning import stats
from learning.assignment import pick

BASE_CTR = 0.15
UPLIFT = 0.10
AA_RUNS = 20
SKEW_DROP = 0.20
STICKY_SHARES = [("a", 50.0), ("b", 30.0), ("c", 20.0)]


def relevance(seed: int, user: str, item: str) -> float:
    """The hidden relevance of a title to a user: a fixed uniform draw in [0.3, 1.7]."""
    digest = hashlib.blake2b(f"{seed}:{user}:{item}".encode(), digest_size=8).digest()
    return 0.3 + 1.4 * int.from_bytes(digest, "big") / 2**64


def click_probability(seed: int, user: str, item: str, rank: int, treated: int) -> float:
    """The click model: position bias, hidden relevance, +10 % per uplift treatment."""
    return BASE_CTR * rank**-0.5 * relevance(seed, user, item) * (1 + UPLIFT) ** treated


def parse_labels(header: str) -> dict[str, str]:
    """``X-Experiment`` (``<experiment>_<variant>``, comma-separated) → variant per experiment."""
    out = {}
    for label in filter(None, header.split(",")):
        experiment, _, variant = label.rpartition("_")
        out[experiment] = variant
    return out


@dataclass
class Sim:
    """The simulated users' HTTP client and what they saw."""

    client: httpx.AsyncClient
    session: str
    seed: int
    concurrency: int
    uplift: list[str] = field(default_factory=list)
    lists: int = 0
    clicks: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    #: (experiment, variant) → [sum of click probabilities, impressions] (the ground truth)
    truth: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    async def visit(self, i: int, user: str, *, click: bool) -> dict[str, str]:
        """One home-feed request (and its clicks); the user's variant per experiment."""
        answer = await self.client.get(
            "/v1/recommendations", params={"user_id": user}, headers=headers(i)
        )
        if answer.status_code != 200:
            self.errors[f"GET {answer.status_code}"] += 1
            return {}
        self.lists += 1
        body = answer.json()
        labels = parse_labels(answer.headers.get("x-experiment", ""))
        if (body.get("experiment") or "") != answer.headers.get("x-experiment", ""):
            self.errors["body and header disagree"] += 1
        if not click:
            return labels
        treated = sum(labels.get(e) == "treatment" for e in self.uplift)
        rng = random.Random(f"{self.seed}:{body['request_id']}")
        chances = 0.0
        for rank, rec in enumerate(body["recommendations"], start=1):
            p = click_probability(self.seed, user, rec["item_id"], rank, treated)
            chances += p
            if rng.random() < p:
                await self._click(i, user, rec["item_id"], rank, body["request_id"])
        for e in self.uplift:
            truth = self.truth.setdefault((e, labels.get(e, "")), [0.0, 0])
            truth[0] += chances
            truth[1] += len(body["recommendations"])
        return labels

    def true_uplift(self, experiment: str) -> float:
        """The click model's expected CTR of the treatment over the control's, on the lists
        actually served (what the report estimates)."""
        control = self.truth.get((experiment, "control"), [0.0, 1])
        treatment = self.truth.get((experiment, "treatment"), [0.0, 1])
        return (treatment[0] / treatment[1]) / (control[0] / control[1]) - 1

    async def _click(self, i: int, user: str, item: str, rank: int, list_id: str) -> None:
        event = {
            "user_id": user,
            "item_id": item,
            "action": "click",
            "session_id": self.session,
            "context": {"source": "homepage", "position": rank, "recommendation_id": list_id},
        }
        answer = await self.client.post(
            "/v1/interactions",
            json=event,
            headers={**headers(i), "X-Event-ID": uuid.uuid4().hex},
        )
        if answer.status_code == 202:
            self.clicks += 1
        else:
            self.errors[f"POST {answer.status_code}"] += 1

    async def crowd(self, users: list[str], *, click: bool) -> list[dict[str, str]]:
        """Every user visits once, ``concurrency`` at a time, in order."""
        gate = asyncio.Semaphore(self.concurrency)

        async def one(i: int, user: str) -> dict[str, str]:
            async with gate:
                return await self.visit(i, user, click=click)

        return await asyncio.gather(*(one(i, u) for i, u in enumerate(users)))


class Admin:
    """Experiments through ``/v1/experiments`` (admin key)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.names: list[str] = []

    async def _call(self, method: str, path: str, **kw: Any) -> Any:
        answer = await self.client.request(method, path, headers=headers(), **kw)
        if answer.status_code >= 300:
            sys.exit(f"{method} {path}: {answer.status_code} {answer.text}")
        return answer.json()

    async def run(self, name: str, shares: list[tuple[str, float]]) -> None:
        """Create an independent experiment with empty variants and start it."""
        variants = [{"name": v, "traffic_percent": p} for v, p in shares]
        body = {"name": name, "variants": variants, "independent": True}
        await self._call("POST", "/v1/experiments", json=body)
        await self._call("POST", f"/v1/experiments/{name}/start")
        self.names.append(name)

    async def report(self, name: str) -> dict[str, Any]:
        """The report, as ``graphrec experiments report NAME --json`` prints it."""
        report: dict[str, Any] = await self._call("GET", f"/v1/experiments/{name}/report")
        return report

    async def stop(self, names: list[str]) -> None:
        """Stop counting (the counts are kept on the variants)."""
        for name in names:
            await self._call("POST", f"/v1/experiments/{name}/stop")

    async def conclude_all(self) -> None:
        """Conclude every experiment of this run."""
        for name in self.names:
            await self._call("POST", f"/v1/experiments/{name}/conclude")


def _settle(rc: redis.Redis) -> None:
    """Let the API's consumers count every logged list and click."""
    log_settled(rc)


async def _wait_assigned(sim: Sim, user: str, names: list[str]) -> None:
    """Wait until both workers serve the new experiments (each re-reads them every 5 s).

    The probes ask for ``kind=artist``, which the synthetic catalogue has none of: their lists
    are empty, so they add no impressions to any arm (their one user is assigned, as any).
    """
    await asyncio.sleep(6)
    for _ in range(30):
        probes = [
            sim.client.get(
                "/v1/recommendations",
                params={"user_id": user, "kind": "artist"},
                headers=headers(i),
            )
            for i in range(8)
        ]
        answers = await asyncio.gather(*probes)
        shown = sum(len(a.json().get("recommendations", [])) for a in answers)
        if shown:
            sys.exit(f"the probes' lists were not empty ({shown} titles): they would count")
        labels = [parse_labels(a.headers.get("x-experiment", "")) for a in answers]
        if all(set(names) <= set(x) for x in labels):
            return
        await asyncio.sleep(1)
    sys.exit("the experiments did not reach every API worker")


async def uplift_phase(
    sim: Sim, admin: Admin, rc: redis.Redis, users: list[str], tag: str, args: argparse.Namespace
) -> None:
    """+10 % experiments and A/A runs side by side, until the reports say the sample suffices."""
    sim.uplift = [f"{tag}-up{i + 1}" for i in range(args.uplift_runs)]
    aa = [f"{tag}-aa{i + 1:02d}" for i in range(AA_RUNS)]
    for name in sim.uplift:
        await admin.run(name, [("control", 50.0), ("treatment", 50.0)])
    for name in aa:
        await admin.run(name, [("a", 50.0), ("b", 50.0)])
    await _wait_assigned(sim, users[-1], sim.uplift + aa)
    started, used, missing = time.monotonic(), 0, 0
    while True:
        batch = users[used : used + args.round_users]
        if not batch:
            sys.exit(f"ran out of users ({used}) before the reports' MDE reached 10 %")
        for labels in await sim.crowd(batch, click=True):
            missing += not set(sim.uplift + aa) <= set(labels)
        used += len(batch)
        _settle(rc)
        reports = [await admin.report(n) for n in sim.uplift]
        mdes = [r["mde_relative"] or float("inf") for r in reports]
        print(
            f"  {used:,} users, {sim.lists:,} lists, {sim.clicks:,} clicks: report MDE "
            f"{min(mdes):.1%}-{max(mdes):.1%} ({time.monotonic() - started:.0f} s)",
            flush=True,
        )
        if max(mdes) <= UPLIFT:
            break
    print(f"  responses without a running experiment's variant: {missing}")
    detected = 0
    for r in reports:
        control, treatment = r["variants"]
        need = stats.required_per_arm(control["ctr"], UPLIFT)
        hit = treatment["p_value"] < stats.ALPHA and treatment["uplift"] > 0
        detected += hit
        print(
            f"  {r['experiment']}: impressions {control['impressions']:,} / "
            f"{treatment['impressions']:,} (stats.required_per_arm at the control's CTR: "
            f"{need:,}), CTR {control['ctr']:.3%} → {treatment['ctr']:.3%}, uplift "
            f"{treatment['uplift']:+.1%}, p={treatment['p_value']:.3g}, report MDE "
            f"{r['mde_relative']:.1%}, SRM p={r['srm_p_value']:.2g}, true uplift on the "
            f"lists served {sim.true_uplift(r['experiment']):+.1%} → "
            f"{'DETECTED' if hit else 'not detected'}\n      verdict: {r['verdict']}"
        )
    print(
        f"uplift: {detected}/{len(reports)} true +10 % treatments detected at p < 0.05 with the "
        f"sample the reports call enough (power 0.8: ~{0.8 * len(reports):.0f} expected)"
    )
    ps = [(await admin.report(n))["variants"][1]["p_value"] for n in aa]
    significant = sum(p < stats.ALPHA for p in ps)
    print(
        f"A/A: {significant}/{AA_RUNS} runs report p < 0.05 (≤ 3 required: "
        f"{'met' if significant <= 3 else 'NOT met'}); p-values "
        + ", ".join(f"{p:.2f}" for p in sorted(ps))
    )
    await admin.stop(sim.uplift + aa)
    sim.uplift = []


async def skew_phase(
    sim: Sim, admin: Admin, rc: redis.Redis, users: list[str], tag: str, seed: int
) -> None:
    """A broken client loses a fifth of the treatment's users: the SRM check must trip."""
    name = f"{tag}-skew"
    shares = [("control", 50.0), ("treatment", 50.0)]
    await admin.run(name, shares)
    await _wait_assigned(sim, users[-1], [name])
    rng = random.Random(seed)
    kept = [u for u in users if pick(u, name, shares) == "control" or rng.random() >= SKEW_DROP]
    await sim.crowd(kept, click=False)
    _settle(rc)
    r = await admin.report(name)
    counts = " / ".join(f"{v['name']} {v['users']:,}" for v in r["variants"])
    print(
        f"skew: {len(users) - len(kept):,} of {len(users):,} users lost before the API "
        f"(20 % of the treatment's); report users {counts}; SRM p={r['srm_p_value']:.2g} → "
        f"{'MISMATCH flagged' if r['srm'] else 'NOT flagged'}\n      verdict: {r['verdict']}"
    )
    await admin.stop([name])


async def sticky_phase(
    sim: Sim, admin: Admin, rc: redis.Redis, users: list[str], tag: str, requests: int
) -> None:
    """N users × ``requests`` each (passes over all users): switches and observed shares."""
    name = f"{tag}-shares"
    await admin.run(name, STICKY_SHARES)
    await _wait_assigned(sim, users[-1], [name])
    seen: dict[str, set[str]] = {u: set() for u in users}
    started, missing = time.monotonic(), 0
    for _ in range(requests):
        for user, labels in zip(users, await sim.crowd(users, click=False), strict=True):
            if name in labels:
                seen[user].add(labels[name])
            else:
                missing += 1
    elapsed = time.monotonic() - started
    _settle(rc)
    switched = sum(len(v) > 1 for v in seen.values())
    first = Counter(next(iter(v)) for v in seen.values() if v)
    r = await admin.report(name)
    graph_users = {v["name"]: v["users"] for v in r["variants"]}
    total = sum(first.values())
    worst = 0.0
    parts = []
    for variant, share in STICKY_SHARES:
        observed = 100 * first[variant] / max(total, 1)
        worst = max(worst, abs(observed - share))
        parts.append(
            f"{variant} {observed:.2f} % (configured {share:g}, graph {graph_users[variant]:,})"
        )
    print(
        f"sticky: {len(users):,} users × {requests} requests in {elapsed:.0f} s "
        f"({len(users) * requests / elapsed:.0f} req/s); variant switches seen by the clients "
        f"{switched}, in the graph {r['switched_users']}; responses without the variant {missing}"
    )
    print(
        f"  shares: {'; '.join(parts)}; largest gap {worst:.2f} points "
        f"(±1.5 required: {'met' if worst <= 1.5 else 'NOT met'})"
    )
    await admin.stop([name])


async def simulate(
    base: str, args: argparse.Namespace, users: list[str], rc: redis.Redis, tag: str
) -> None:
    """The three phases against the running API (experiments and clicks named after ``tag``)."""
    limits = httpx.Limits(max_connections=args.concurrency * 2)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        sim = Sim(client, session=tag, seed=args.seed, concurrency=args.concurrency)
        admin = Admin(client)
        try:
            t = time.monotonic()
            print(
                f"phase 1, uplift + A/A (rounds of {args.round_users} users, one request each,"
                f" clicks):",
                flush=True,
            )
            await uplift_phase(sim, admin, rc, users, tag, args)
            print(f"  ({time.monotonic() - t:.0f} s)\nphase 2, skew:", flush=True)
            t = time.monotonic()
            await skew_phase(sim, admin, rc, users[: args.skew_users], tag, args.seed)
            print(f"  ({time.monotonic() - t:.0f} s)\nphase 3, sticky:", flush=True)
            await sticky_phase(sim, admin, rc, users[: args.users], tag, args.requests)
        finally:
            await admin.conclude_all()
            print(f"requests that failed: {dict(sim.errors) or 'none'}; session {tag}")


def main() -> None:
    """Parse the options, start the API, simulate, clean up."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller phases 2 and 3 (minutes)")
    parser.add_argument("--users", type=int, help="phase 3 users (10,000; quick 2,000)")
    parser.add_argument("--requests", type=int, default=3, help="phase 3 requests per user")
    parser.add_argument("--uplift-runs", type=int, help="+10 %% experiments (5; quick 3)")
    parser.add_argument("--round-users", type=int, default=500)
    parser.add_argument("--skew-users", type=int, help="phase 2 users (4,000; quick 2,000)")
    parser.add_argument("--concurrency", type=int, default=16, help="users in flight")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--redis-db", type=int, default=14, help="the API's Redis database")
    args = parser.parse_args()
    quick = args.quick
    args.users = args.users or (2_000 if quick else 10_000)
    args.uplift_runs = args.uplift_runs or (3 if quick else 5)
    args.skew_users = args.skew_users or (2_000 if quick else 4_000)
    with connect() as conn:
        users, _ = sample_ids(conn, max(args.users, args.skew_users, 12_000))
    if len(users) < max(args.users, args.skew_users):
        sys.exit(f"{len(users)} users with history; load more (graphrec load synthetic --users)")
    random.Random(args.seed).shuffle(users)
    redis_url = _bench_redis_url(args.redis_db)
    _empty_redis(redis_url)
    rc = redis.Redis.from_url(redis_url)
    tag = f"sim{time.strftime('%m%d%H%M%S')}"
    started = time.monotonic()
    print(
        f"{'quick' if quick else 'full'} mode: {len(users):,} users with history, "
        f"{args.workers} API workers, cache TTL 900 s, {args.concurrency} users in flight, "
        f"seed {args.seed}; "
        f"machine load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    try:
        # A user's later requests within 15 min are cache hits, as the passes of phase 3 take
        # longer than the default 60 s; the variant is assigned on every request before the
        # cache is read, and is part of its key.
        env = {**os.environ, "GRAPHREC_API_CACHE_TTL": "900"}
        with api_server(redis_url, workers=args.workers, env=env) as server:
            asyncio.run(simulate(server.base, args, users, rc, tag))
    finally:
        rc.close()
        _delete_events(tag)
        _empty_redis(redis_url)
    print(f"total {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
