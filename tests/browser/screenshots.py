"""`make screenshots`: a PNG of every staff page, per role, at a laptop and a phone size.

Builds a throwaway SQLite database with the demo data, serves the app on a free port in
a thread, and walks the same pages as tests/browser/test_layout.py with Debian's Chromium
(CHROMIUM_PATH overrides), writing <page>-<role>-<laptop|phone>.png into
build/screenshots/ (SCREENSHOTS_DIR overrides). Layout problems found on the way are
printed, not fatal: this is for a person to look at; the test is what fails.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

from app import create_app
from app.extensions import db

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    from flask_migrate import upgrade
    from playwright.sync_api import sync_playwright

    from app.demo import seed
    from tests.browser.walk import ROLES, detail_paths, walk

    out = Path(os.environ.get("SCREENSHOTS_DIR", ROOT / "build" / "screenshots"))
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="teppan-screens-") as scratch:
        app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{scratch}/screens.db",
            UPLOAD_FOLDER=f"{scratch}/uploads",
        )
        print("Seeding the demo data into a scratch database...", flush=True)
        with app.app_context():
            upgrade()
        with app.test_request_context():
            seed()
            db.session.commit()
            paths = {role: detail_paths(role) for role in ROLES}
            db.session.remove()

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request would bury the list
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}"
        written = 0
        problems = 0

        def shoot(page, visit, size):
            nonlocal written
            page.screenshot(path=out / f"{visit.name}-{visit.role}-{size}.png", full_page=True)
            written += 1

        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
                for role in ROLES:
                    for visit in walk(browser, base, role, paths[role], on_page=shoot):
                        for problem in visit.problems:
                            problems += 1
                            print(f"  {role} {visit.name}: {problem}")
                browser.close()
        finally:
            server.shutdown()
    print(f"{written} screenshots in {out} ({problems} layout problems listed above).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
