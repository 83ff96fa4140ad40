"""Production static files: collectstatic minifies the stylesheets before hashing them, and
hashed files are served with a year-long, immutable Cache-Control."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.platform_site.test_settings import PRODUCTION, ROOT, run, run_python

SOURCE_CSS = ROOT / "static" / "css" / "site.css"


@pytest.fixture(scope="module")
def collected(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("static")
    env = {**PRODUCTION, "STATIC_ROOT": str(folder)}
    result = run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], **env)
    assert result.returncode == 0, result.stderr
    return folder, env


def manifest(folder: Path) -> dict[str, str]:
    return json.loads((folder / "staticfiles.json").read_text())["paths"]


def test_collected_stylesheet_is_minified_and_keeps_its_rules(collected):
    folder, _ = collected
    hashed = manifest(folder)["css/site.css"]
    assert hashed != "css/site.css"
    source = SOURCE_CSS.read_text()
    minified = (folder / hashed).read_text()
    assert len(minified) < 0.85 * len(source)
    assert "/*" not in minified and "\n  " not in minified
    # The same rules: every selector block and custom property is still there.
    for needle in (".story-card__image", "prefers-color-scheme", "--"):
        assert (needle in source) == (needle in minified), needle
    assert minified.count("{") >= 0.95 * source.count("{")
    # WhiteNoise's compressed copies are of the minified file.
    assert (folder / (hashed + ".br")).exists() and (folder / (hashed + ".gz")).exists()


def test_modules_import_each_other_by_hashed_names(collected):
    # The editor's module imports the prose bundle by a relative path; unrewritten, the bundle
    # (145 KB compressed) was served under its plain name, cached for a minute.
    folder, _ = collected
    paths = manifest(folder)
    module = (folder / paths["js/prose-editor.js"]).read_text()
    bundle = paths["django_prose_editor/editor.js"].removeprefix("django_prose_editor/")
    assert f'from "../django_prose_editor/{bundle}"' in module
    loader = (folder / paths["js/prose-editor-loader.js"]).read_text()
    assert f'import("../django_prose_editor/{bundle}")' in loader
    for module in ("js/prose-editor.js", "js/editor.js"):
        assert f'import("./{paths[module].removeprefix("js/")}")' in loader
    # Every other app's scripts (the admin's among them) are collected as they are.
    admin = paths["admin/js/actions.js"]
    assert (folder / admin).read_text() == (folder / "admin/js/actions.js").read_text()


def test_hashed_files_are_cached_a_year_and_immutable(collected, tmp_path):
    folder, env = collected
    hashed = manifest(folder)["css/site.css"]
    code = (
        "import django; django.setup();"
        "from django.test import Client; c = Client(HTTP_HOST='byline.example');"
        f"r = c.get('/static/{hashed}', secure=True); print(r.status_code, r['Cache-Control']);"
        "r = c.get('/static/css/site.css', secure=True); print(r.status_code, r['Cache-Control'])"
    )
    result = run_python(code, **env, SQLITE_PATH=str(tmp_path / "empty.sqlite3"))
    assert result.returncode == 0, result.stderr
    hashed_line, plain_line = result.stdout.splitlines()
    assert hashed_line == "200 max-age=31536000, public, immutable"
    # A name without a hash may change under the same URL: never immutable.
    assert plain_line.startswith("200 ") and "immutable" not in plain_line


def test_uploads_served_by_the_app_are_cached_a_year(client, settings):
    folder = Path(settings.MEDIA_ROOT) / "images"
    folder.mkdir(parents=True)
    (folder / "0123abcd.jpg").write_bytes(b"\xff\xd8\xff not really a jpeg")
    response = client.get("/media/images/0123abcd.jpg")
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=31536000"
    assert client.get("/media/images/missing.jpg").status_code == 404
