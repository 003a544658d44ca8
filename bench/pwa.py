"""The resident view on a phone: first-load weight, Lighthouse scores, installability.

Serves the built PWA (pwa/dist, from `make run` or `make test`) with a real `gridreport serve`
on an embedded PostgreSQL, then: sums the gzipped JS and CSS that `/` loads (goal ≤ 150 KB
without map tiles); runs Lighthouse from pwa/node_modules against Debian's Chromium in mobile
emulation (goal ≥ 90 for performance and accessibility); asks Chromium itself, over the
DevTools protocol, whether the page is installable. Run:
    .venv/bin/python bench/pwa.py
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# The repo root instead of bench/, whose queue.py would hide the standard library's queue.
sys.path[0] = str(Path(__file__).resolve().parents[1])

from playwright.async_api import async_playwright

from backend.db.embedded import EmbeddedPostgres
from tests.servers import Server, free_port

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "pwa" / "dist"
LIGHTHOUSE = ROOT / "pwa" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BUDGET_KB = 150.0
RUNS = int(os.environ.get("LIGHTHOUSE_RUNS", "3"))


def first_load_assets(html: str) -> list[str]:
    """The scripts, module preloads and stylesheets a page asks for before it can run."""
    return re.findall(r'(?:src|href)="(/assets/[^"]+\.(?:js|css))"', html)


def weight(html: str) -> tuple[int, int]:
    """Raw and gzipped bytes of the page's first-load JS and CSS."""
    raw = gzipped = 0
    for asset in first_load_assets(html):
        data = (DIST / asset.lstrip("/")).read_bytes()
        raw += len(data)
        gzipped += len(gzip.compress(data, compresslevel=9))
    return raw, gzipped


METRICS = {
    "first-contentful-paint": "fcp_ms",
    "largest-contentful-paint": "lcp_ms",
    "total-blocking-time": "tbt_ms",
    "cumulative-layout-shift": "cls",
    "speed-index": "si_ms",
}


def lighthouse(url: str) -> dict[str, float]:
    """One Lighthouse run, mobile emulation: scores (0–100) and the metrics behind performance."""
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run(
            [
                str(LIGHTHOUSE),
                url,
                "--quiet",
                "--output=json",
                f"--output-path={report.name}",
                "--only-categories=performance,accessibility",
                "--form-factor=mobile",
                f"--chrome-flags=--headless=new {' '.join(FLAGS)}",
            ],
            env={**os.environ, "CHROME_PATH": CHROMIUM},
            check=True,
            timeout=180,
        )
        result = json.loads(Path(report.name).read_text())
    scores = {name: round(c["score"] * 100) for name, c in result["categories"].items()}
    audits = result["audits"]
    metrics = {key: round(audits[audit]["numericValue"], 3) for audit, key in METRICS.items()}
    return scores | metrics


async def installability(url: str) -> list[str]:
    """Chromium's own list of reasons the page cannot be installed (empty: installable)."""
    # A profile of its own: Chromium never offers to install from an incognito window.
    with tempfile.TemporaryDirectory() as profile:
        async with async_playwright() as playwright:
            context = await playwright.chromium.launch_persistent_context(
                profile, executable_path=CHROMIUM, args=FLAGS, headless=True
            )
            page = await context.new_page()
            await page.goto(url)
            await page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            cdp = await context.new_cdp_session(page)
            answer = await cdp.send("Page.getInstallabilityErrors")
            await context.close()
    return [error["errorId"] for error in answer["installabilityErrors"]]


def main() -> None:
    if not (DIST / "index.html").exists() or not LIGHTHOUSE.exists():
        raise SystemExit("build the PWA first: make run (or cd pwa && npm ci && npm run build)")
    raw, gzipped = weight((DIST / "index.html").read_text())
    print(
        f"resident first load: {raw / 1024:.1f} KB JS+CSS, {gzipped / 1024:.1f} KB gzipped "
        f"(budget {BUDGET_KB:.0f} KB)"
    )
    with tempfile.TemporaryDirectory() as scratch:
        server = EmbeddedPostgres(Path(scratch) / "pg")
        dsn = server.start()
        port = free_port()
        api = Server(Path(scratch) / "var", port, {"DATABASE_URL": dsn})
        api.wait_ready()
        url = f"http://127.0.0.1:{port}/"
        try:
            runs = [lighthouse(url) for _ in range(RUNS)]
            errors = asyncio.run(installability(url))
        finally:
            api.stop(signal.SIGINT)
            server.stop()
    scores = {name: statistics.median(run[name] for run in runs) for name in runs[0]}
    print(f"Lighthouse (mobile, median of {RUNS}): {scores}")
    print(f"installable: {not errors} {errors or ''}")
    print(
        json.dumps(
            {
                "bench": "pwa",
                "resident_js_css_gzip_kb": round(gzipped / 1024, 1),
                "resident_js_css_raw_kb": round(raw / 1024, 1),
                "budget_kb": BUDGET_KB,
                "ratio": round(BUDGET_KB / (gzipped / 1024), 1),
                "lighthouse_performance": scores.get("performance"),
                "lighthouse_accessibility": scores.get("accessibility"),
                # The metrics behind the performance score, to see which one costs it.
                **{key: scores.get(key) for key in METRICS.values()},
                "installable": not errors,
                "installability_errors": errors,
            }
        )
    )


if __name__ == "__main__":
    main()
