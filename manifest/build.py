"""Build the Teams app package (``appPackage.zip``) from ``manifest.template.json``.

    python -m manifest.build [--app-id GUID] [--out appPackage.zip] [--domain bot.example.org]
                             [--version 1.2.3]

Each value comes from, in order: the command-line option, the environment, then the ``.env``
file in the repository root (``--env-file`` to read another):

* bot app id: ``--app-id``, ``MicrosoftAppId`` (required, must be a GUID)
* domain the bot is served from: ``--domain``, ``BOT_DOMAIN``, the host of ``PUBLIC_BASE_URL``
  (default ``example.org``); the console tab, validDomains and the SSO resource use it
* app version: ``--version``, ``APP_VERSION`` (default: the version in ``pyproject.toml``)

The package holds exactly ``manifest.json``, ``color.png`` and ``outline.png`` at its root.
Placeholders such as ``${BOT_ID}`` are filled in on the parsed JSON's string values, never by
replacing text in the raw file, so a value can never break the JSON. The result is checked
against the vendored JSON schema for its ``manifestVersion`` before the zip is written.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tomllib
import zipfile
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
TEMPLATE = HERE / "manifest.template.json"
COLOR_ICON = HERE / "color.png"
OUTLINE_ICON = HERE / "outline.png"
SCHEMA_DIR = HERE / "schema"
DEFAULT_OUT = REPO_ROOT / "appPackage.zip"
DEFAULT_DOMAIN = "example.org"
DEFAULT_ENV_FILE = REPO_ROOT / ".env"

APP_ID_VARIABLE = "MicrosoftAppId"
DOMAIN_VARIABLE = "BOT_DOMAIN"
PUBLIC_URL_VARIABLE = "PUBLIC_BASE_URL"
VERSION_VARIABLE = "APP_VERSION"

PACKAGE_FILES = ("manifest.json", "color.png", "outline.png")

_GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?::[0-9]{1,5})?$"
)
_PLACEHOLDER = re.compile(r"\$\{([A-Z][A-Z0-9_]*)\}")
# Fixed timestamp so that the same inputs give a byte-identical zip.
_ZIP_DATE = (2020, 1, 1, 0, 0, 0)


class BuildError(Exception):
    """A problem the person running the build can fix; the message is one line."""


def schema_path(manifest_version: str) -> Path:
    """The vendored JSON schema for ``manifest_version`` (e.g. ``"1.30"``)."""
    return SCHEMA_DIR / f"MicrosoftTeams.v{manifest_version}.schema.json"


def load_template(path: Path = TEMPLATE) -> dict:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def substitute(node: object, values: Mapping[str, str]) -> object:
    """Return a copy of ``node`` with ``${NAME}`` filled in on every string leaf.

    Object keys are left alone. An unknown placeholder is an error, so a typo in the template
    cannot ship as a literal ``${...}``.
    """
    if isinstance(node, dict):
        return {key: substitute(value, values) for key, value in node.items()}
    if isinstance(node, list):
        return [substitute(item, values) for item in node]
    if isinstance(node, str):

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                raise BuildError(f"manifest template uses unknown placeholder ${{{name}}}")
            return values[name]

        return _PLACEHOLDER.sub(fill, node)
    return node


def _dotenv(env_file: Path) -> dict[str, str]:
    if not env_file.is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(env_file).items() if v is not None}


def _lookup(name: str, environ: Mapping[str, str], dotenv: Mapping[str, str]) -> str | None:
    # config.py accepts the upper-case spelling too; so do we.
    for key in (name, name.upper()):
        for source in (environ, dotenv):
            value = (source.get(key) or "").strip()
            if value:
                return value
    return None


def _project_version(repo_root: Path) -> str:
    try:
        with (repo_root / "pyproject.toml").open("rb") as fh:
            return str(tomllib.load(fh)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "1.0.0"


def normalise_app_id(app_id: str) -> str:
    app_id = app_id.strip()
    if not _GUID.match(app_id):
        raise BuildError(
            f"bot app id {app_id!r} is not a GUID "
            "(expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, the bot's Microsoft App ID)"
        )
    return app_id.lower()


def normalise_domain(domain: str) -> str:
    domain = domain.strip().rstrip("/")
    if not _DOMAIN.match(domain):
        raise BuildError(
            f"domain {domain!r} is not a bare host name (give e.g. bot.example.org, "
            "without https:// or a path)"
        )
    return domain.lower()


def normalise_version(version: str) -> str:
    version = version.strip()
    if not _SEMVER.match(version):
        raise BuildError(f"app version {version!r} is not of the form MAJOR.MINOR.PATCH")
    return version


def validate(manifest: dict) -> None:
    """Check ``manifest`` against the vendored schema for its ``manifestVersion``."""
    import jsonschema
    from referencing import Registry
    from referencing.exceptions import Unresolvable

    version = manifest.get("manifestVersion")
    path = schema_path(str(version))
    if not path.is_file():
        raise BuildError(f"no vendored schema for manifestVersion {version!r} in {SCHEMA_DIR}")
    with path.open(encoding="utf-8") as fh:
        schema = json.load(fh)

    def no_network(uri: str):
        raise Unresolvable(f"the vendored schema refers to {uri}, which is not vendored")

    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema, registry=Registry(retrieve=no_network))
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(root)"
        raise BuildError(
            f"manifest does not match the v{version} schema at {where}: {first.message}"
            + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
        )


def render_manifest(app_id: str, domain: str, version: str, template: dict | None = None) -> dict:
    values = {
        "BOT_ID": normalise_app_id(app_id),
        "BOT_DOMAIN": normalise_domain(domain),
        "APP_VERSION": normalise_version(version),
    }
    manifest = substitute(load_template() if template is None else template, values)
    assert isinstance(manifest, dict)
    validate(manifest)
    return manifest


def build_package(
    app_id: str,
    out: Path | str = DEFAULT_OUT,
    *,
    domain: str = DEFAULT_DOMAIN,
    version: str | None = None,
) -> Path:
    """Write the app package zip to ``out`` and return its path."""
    version = version if version is not None else _project_version(REPO_ROOT)
    manifest = render_manifest(app_id, domain, version)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "manifest.json": (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode(),
        "color.png": COLOR_ICON.read_bytes(),
        "outline.png": OUTLINE_ICON.read_bytes(),
    }
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name in PACKAGE_FILES:
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, payload[name])
    os.replace(tmp, out)
    return out


def main(argv: list[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m manifest.build",
        description="Build the Teams app package (manifest.json + icons) for this bot.",
    )
    parser.add_argument(
        "--app-id", help=f"the bot's Microsoft App ID (GUID); default: ${APP_ID_VARIABLE}"
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="zip to write (default: %(default)s)"
    )
    parser.add_argument(
        "--domain",
        help=f"host the bot is served from; default: ${DOMAIN_VARIABLE} or {DEFAULT_DOMAIN}",
    )
    parser.add_argument(
        "--env-file",
        type=Path,
        default=DEFAULT_ENV_FILE,
        help="dotenv file read after the environment (default: %(default)s; skipped if absent)",
    )
    parser.add_argument(
        "--version",
        help=f"app version MAJOR.MINOR.PATCH; default: ${VERSION_VARIABLE} or pyproject.toml",
    )
    args = parser.parse_args(argv)
    environ = os.environ if environ is None else environ
    dotenv = _dotenv(args.env_file)

    app_id = args.app_id or _lookup(APP_ID_VARIABLE, environ, dotenv)
    if not app_id:
        print(
            f"error: no bot app id: pass --app-id GUID, or set {APP_ID_VARIABLE}=GUID "
            "in the environment or in .env (the bot's Microsoft App ID from its Azure Bot "
            "registration)",
            file=sys.stderr,
        )
        return 2
    try:
        app_id = normalise_app_id(app_id)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    domain = args.domain or _lookup(DOMAIN_VARIABLE, environ, dotenv)
    if not domain:  # the bot's own setting for its public address (the console's tab URL)
        domain = urlsplit(_lookup(PUBLIC_URL_VARIABLE, environ, dotenv) or "").netloc
    if not domain:
        domain = DEFAULT_DOMAIN
        print(
            f"warning: no --domain or {DOMAIN_VARIABLE}; using {DEFAULT_DOMAIN} for the "
            "developer links and validDomains",
            file=sys.stderr,
        )
    version = args.version or _lookup(VERSION_VARIABLE, environ, dotenv)

    try:
        out = build_package(app_id, args.out, domain=domain, version=version)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
