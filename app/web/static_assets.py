"""Static files as browsers get them: content-hashed names, brotli and gzip copies.

`static/` is the source. At start-up the app builds, once per distinct content, a copy
that holds only what browsers load (CSS, JS, images, fonts; never the developer scripts
beside them), every file also under a name with its content hash (`trinvis.1a2b3c4d5e6f.css`)
and compressed (`.br`, `.gz`). ServeStatic (a maintained WhiteNoise fork) hashes,
compresses and serves it: hashed names with `Cache-Control: immutable`, the plain names
with a short lifetime. Templates ask `static_url("css/trinvis.css")` for the hashed name.

The service worker (`static/sw.js`) is built too: it receives the map of hashed names and
a cache version derived from it, so any changed file changes the worker's bytes, the
browser installs the new worker, and the old cache is dropped. Nobody bumps a version.

The build lives in `.build/static/<fingerprint>/` (ignored by git), or in a private
folder under the system's temporary directory when the code's folder is read-only (the
container image). Processes starting at once race harmlessly: each builds into its own
temporary folder and renames it into place; the first rename wins.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from servestatic import ServeStaticASGI
from servestatic.compress import Compressor
from servestatic.manifest_hash import ManifestHashGenerator

from app.paths import ROOT_DIR, STATIC_DIR

URL_PREFIX = "/static/"
# What a browser loads. Everything else in static/ (shell scripts, Python tools, notes,
# checksums, licences) stays out of the build, so it is never served.
BROWSER_SUFFIXES = frozenset(
    {".css", ".js", ".png", ".svg", ".ico", ".webp", ".woff2", ".webmanifest"}
)
# Served from the site root by app/routers/pwa.py, built below, never under /static.
SERVICE_WORKER = "sw.js"
SERVICE_WORKER_MARKER = "const BUILD = { version: 'unbuilt', files: {} };"
# Only the browser tests load axe-core; brotli would spend seconds on it at every build.
NOT_COMPRESSED = ("vendor/axe-core-",)
# Bump when the build's output format changes, so old builds are not reused.
BUILD_FORMAT = "1"
KEEP_BUILDS = 3


class StaticBuildError(RuntimeError):
    """The static build could not be made (a missing marker, an unwritable folder)."""


@dataclass(frozen=True)
class StaticBuild:
    directory: Path  # what /static serves
    paths: dict[str, str]  # logical name -> hashed name, both relative to /static/
    version: str  # derived from every served file's content
    service_worker: Path  # the built worker, served at /sw.js

    def url(self, name: str) -> str:
        """The hashed URL of `name` (relative to static/); unknown names fail loudly."""
        try:
            return URL_PREFIX + self.paths[name]
        except KeyError:
            raise StaticBuildError(f"no static file {name!r} in the build") from None


def browser_files(source: Path) -> list[Path]:
    """The files of `source` a browser may load, sorted."""
    return sorted(
        path
        for path in source.rglob("*")
        if path.is_file()
        and path.suffix in BROWSER_SUFFIXES
        and path.relative_to(source).as_posix() != SERVICE_WORKER
    )


def fingerprint(source: Path) -> str:
    digest = hashlib.sha256(BUILD_FORMAT.encode())
    for path in [*browser_files(source), source / SERVICE_WORKER]:
        digest.update(path.relative_to(source).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def build(source: Path, root: Path) -> StaticBuild:
    """The build of `source` under `root`, made now unless it already exists."""
    target = root / fingerprint(source)
    if not (target / "build.json").exists():
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix="staging-", dir=root))
        try:
            _make(source, staging)
            try:
                staging.rename(target)
            except OSError:
                if not (target / "build.json").exists():
                    raise
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        _prune(root, keep=target)
    return load(target)


def load(target: Path) -> StaticBuild:
    meta = json.loads((target / "build.json").read_text(encoding="utf-8"))
    return StaticBuild(
        directory=target / "files",
        paths=meta["paths"],
        version=meta["version"],
        service_worker=target / SERVICE_WORKER,
    )


def _make(source: Path, staging: Path) -> None:
    files = staging / "files"
    for path in browser_files(source):
        copy = files / path.relative_to(source)
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, copy)
    hasher = ManifestHashGenerator(root=files, keep_original=True, quiet=True)
    paths = dict(hasher.process(path) for path in sorted(files.rglob("*")) if path.is_file())
    compressor = Compressor(use_zstd=False, quiet=True)
    for original, hashed in paths.items():
        if compressor.should_compress(hashed) and not hashed.startswith(NOT_COMPRESSED):
            # Compressed once (brotli is slow on axe-core), the copy serves the plain name.
            for variant in compressor.compress(files / hashed):
                suffix = variant[len(str(files / hashed)) :]
                shutil.copy2(variant, files / (original + suffix))
    version = hashlib.sha256(json.dumps(paths, sort_keys=True).encode()).hexdigest()[:12]
    worker = (source / SERVICE_WORKER).read_text(encoding="utf-8")
    if SERVICE_WORKER_MARKER not in worker:
        raise StaticBuildError(f"static/{SERVICE_WORKER} lacks the line {SERVICE_WORKER_MARKER}")
    filled = "const BUILD = " + json.dumps({"version": version, "files": paths}, indent=2) + ";"
    (staging / SERVICE_WORKER).write_text(
        worker.replace(SERVICE_WORKER_MARKER, filled), encoding="utf-8"
    )
    (staging / "build.json").write_text(
        json.dumps({"version": version, "paths": paths}, indent=1), encoding="utf-8"
    )


def _prune(root: Path, *, keep: Path) -> None:
    """Keep the newest builds (a process of the last release may still serve one)."""
    builds = sorted(
        (path for path in root.iterdir() if path.is_dir() and path != keep),
        key=lambda path: path.stat().st_mtime,
        reverse=True,
    )
    for old in builds[KEEP_BUILDS - 1 :]:
        if not old.name.startswith("staging-"):
            shutil.rmtree(old, ignore_errors=True)


def default_root() -> Path:
    """`.build/static` beside the code, or a private folder when that is read-only."""
    preferred = ROOT_DIR / ".build" / "static"
    with contextlib.suppress(OSError):
        preferred.mkdir(parents=True, exist_ok=True)
        if os.access(preferred, os.W_OK):
            return preferred
    private = Path(tempfile.gettempdir()) / f"trinvis-static-{os.getuid()}"
    private.mkdir(mode=0o700, exist_ok=True)
    if private.stat().st_uid != os.getuid():
        raise StaticBuildError(f"{private} belongs to another user")
    return private


@lru_cache(maxsize=1)
def current() -> StaticBuild:
    """This process's build of static/ (made at the first call, normally at start-up)."""
    return build(STATIC_DIR, default_root())


def static_url(name: str) -> str:
    """For templates: `static_url("js/trinvis.js")` -> `/static/js/trinvis.<hash>.js`."""
    return current().url(name)


def static_app(static_build: StaticBuild) -> ServeStaticASGI:
    """The ASGI app for /static: compressed variants, immutable hashed names, 404 else."""
    return ServeStaticASGI(
        None,
        root=static_build.directory,
        prefix=URL_PREFIX,
        max_age=60,
        allow_all_origins=False,
    )
