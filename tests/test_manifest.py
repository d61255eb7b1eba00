"""The Teams app package: built by ``manifest.build``, valid against Microsoft's schema, offline.

The schema is the vendored copy in ``manifest/schema/`` (see its README); nothing here touches
the network. Icons are checked from their PNG headers, so Pillow is not needed.
"""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry
from referencing.exceptions import Unresolvable

from manifest import build

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_APP_ID = "2B6F2A7E-1C3D-4E5F-8A9B-0C1D2E3F4A5B"
APP_ID = TEST_APP_ID.lower()
RSC = {
    "ChatMessage.Read.Chat",
    "OnlineMeeting.ReadBasic.Chat",
    "OnlineMeetingParticipant.Read.Chat",
    "OnlineMeetingTranscript.Read.Chat",
}


def _png_header(data: bytes) -> tuple[int, int, int, int]:
    """(width, height, bit depth, colour type) from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    length, chunk_type = struct.unpack(">I4s", data[8:16])
    assert chunk_type == b"IHDR" and length == 13
    width, height, bit_depth, colour_type = struct.unpack(">IIBB", data[16:26])
    return width, height, bit_depth, colour_type


def _offline_validator(manifest: dict) -> jsonschema.protocols.Validator:
    """A validator for the vendored schema that fails, rather than fetches, on any remote $ref."""
    path = build.schema_path(manifest["manifestVersion"])
    schema = json.loads(path.read_text(encoding="utf-8"))

    def no_network(uri: str):
        raise Unresolvable(f"schema refers to {uri}, which is not vendored")

    registry = Registry(retrieve=no_network)
    cls = jsonschema.validators.validator_for(schema)
    # The schema itself must be a valid draft-04 schema. Its formats are not checked: one
    # pattern (for Office add-in function names, unused here) uses the ECMAScript \p{L}
    # class, which Python's ``re`` does not know, so a 'regex' format check would fail on it.
    meta_errors = list(cls(cls.META_SCHEMA).iter_errors(schema))
    assert meta_errors == [], [e.message for e in meta_errors]
    return cls(schema, registry=registry, format_checker=cls.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pkg") / "appPackage.zip"
    built = build.build_package(TEST_APP_ID, out, domain="Bot.Example.org", version="1.2.3")
    assert built == out
    return out


@pytest.fixture(scope="module")
def manifest(package: Path) -> dict:
    with zipfile.ZipFile(package) as zf:
        return json.loads(zf.read("manifest.json"))


def test_zip_holds_exactly_the_three_files_at_its_root(package: Path):
    with zipfile.ZipFile(package) as zf:
        assert sorted(zf.namelist()) == ["color.png", "manifest.json", "outline.png"]
        assert zf.testzip() is None


def test_manifest_is_valid_against_the_vendored_schema(manifest: dict):
    assert manifest["manifestVersion"] == "1.30"
    assert manifest["$schema"].endswith(
        f"/v{manifest['manifestVersion']}/MicrosoftTeams.schema.json"
    )
    errors = list(_offline_validator(manifest).iter_errors(manifest))
    assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors]


def test_vendored_schema_is_the_one_for_its_version():
    schema = json.loads(build.schema_path("1.30").read_text(encoding="utf-8"))
    assert schema["properties"]["manifestVersion"]["const"] == "1.30"
    text = json.dumps(schema)
    # Only local references: validation never needs the network.
    assert '"$ref": "http' not in text


def test_the_schema_validator_does_reject_bad_manifests(manifest: dict):
    validator = _offline_validator(manifest)
    broken = json.loads(json.dumps(manifest))
    broken["authorization"]["permissions"]["resourceSpecific"][0]["type"] = "Whenever"
    broken["bots"][0]["botId"] = "not-a-guid"
    del broken["developer"]["privacyUrl"]
    assert len(list(validator.iter_errors(broken))) >= 3


def test_bot_id_and_web_application_info_are_filled_in(manifest: dict):
    assert manifest["id"] == APP_ID
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    # The console tab's single sign-on: the token's audience is this application id URI.
    assert manifest["webApplicationInfo"] == {"id": APP_ID,
                                              "resource": f"api://bot.example.org/{APP_ID}"}
    assert manifest["version"] == "1.2.3"
    assert manifest["validDomains"] == ["bot.example.org"]
    assert manifest["developer"]["privacyUrl"] == "https://bot.example.org/privacy"
    assert "${" not in json.dumps(manifest)


def test_bot_scopes_commands_and_files(manifest: dict):
    (bot,) = manifest["bots"]
    assert set(bot["scopes"]) == {"personal", "groupChat", "team"}
    assert bot["supportsFiles"] is True
    assert bot["isNotificationOnly"] is False
    commands = {
        scope: {c["title"] for c in cl["commands"]}
        for cl in bot["commandLists"]
        for scope in cl["scopes"]
    }
    group = {"start", "remind", "status", "end", "help", "info", "consent", "withdraw",
             "link"}
    assert commands["groupChat"] == group
    assert commands["team"] == group
    assert commands["personal"] == {"register", "check", "export", "withdraw", "help"}


def test_rsc_permissions_let_the_bot_read_every_meeting_chat_message(manifest: dict):
    rsc = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert {p["name"] for p in rsc} == RSC
    assert all(p["type"] == "Application" for p in rsc)
    # The pre-1.12 location must not be used alongside.
    assert "permissions" not in manifest.get("webApplicationInfo", {})


def test_icons_have_the_sizes_teams_requires(package: Path, manifest: dict):
    with zipfile.ZipFile(package) as zf:
        color = _png_header(zf.read(manifest["icons"]["color"]))
        outline = _png_header(zf.read(manifest["icons"]["outline"]))
    assert color[:2] == (192, 192)
    assert outline[:2] == (32, 32)
    # Colour type 6 = truecolour with alpha: the outline icon's background is transparent.
    assert outline[3] == 6


def test_package_is_reproducible(tmp_path: Path):
    a = build.build_package(
        TEST_APP_ID, tmp_path / "a.zip", domain="bot.example.org", version="1.0.0"
    )
    b = build.build_package(
        TEST_APP_ID, tmp_path / "b.zip", domain="bot.example.org", version="1.0.0"
    )
    assert a.read_bytes() == b.read_bytes()


def test_substitution_works_on_string_leaves_only():
    template = {"${BOT_ID}": ["x ${BOT_ID} y", 3, True, None, {"k": "${BOT_ID}"}]}
    out = build.substitute(template, {"BOT_ID": 'a"b'})
    # Keys untouched; a value with a quote cannot break the JSON.
    assert out == {"${BOT_ID}": ['x a"b y', 3, True, None, {"k": 'a"b'}]}
    with pytest.raises(build.BuildError, match="NOPE"):
        build.substitute({"a": "${NOPE}"}, {})


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"app_id": "not-a-guid"}, "not a GUID"),
        ({"app_id": TEST_APP_ID, "domain": "https://bot.example.org/path"}, "bare host name"),
        ({"app_id": TEST_APP_ID, "version": "1.0"}, "MAJOR.MINOR.PATCH"),
    ],
)
def test_bad_inputs_are_refused(tmp_path: Path, kwargs: dict, message: str):
    app_id = kwargs.pop("app_id")
    with pytest.raises(build.BuildError, match=message):
        build.build_package(app_id, tmp_path / "x.zip", **kwargs)
    assert not (tmp_path / "x.zip").exists()


def _clean_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k.upper() not in {"MICROSOFTAPPID", "BOT_DOMAIN", "APP_VERSION"}
    }
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "manifest.build", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_command_line_builds_from_environment(tmp_path: Path):
    out = tmp_path / "appPackage.zip"
    env = _clean_env() | {"MicrosoftAppId": TEST_APP_ID, "BOT_DOMAIN": "bot.example.org"}
    result = _run("--out", str(out), "--env-file", str(tmp_path / "absent.env"), env=env)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["bots"][0]["botId"] == APP_ID
    assert list(_offline_validator(manifest).iter_errors(manifest)) == []


def test_command_line_reads_dotenv(tmp_path: Path):
    env_file = tmp_path / ".env"
    env_file.write_text(f"MicrosoftAppId={TEST_APP_ID}\nBOT_DOMAIN=dotenv.example.org\n")
    out = tmp_path / "appPackage.zip"
    assert build.main(["--out", str(out), "--env-file", str(env_file)], environ={}) == 0
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["webApplicationInfo"]["id"] == APP_ID
    assert manifest["validDomains"] == ["dotenv.example.org"]


def test_missing_app_id_fails_with_one_clear_line(tmp_path: Path):
    out = tmp_path / "appPackage.zip"
    result = _run("--out", str(out), "--env-file", str(tmp_path / "absent.env"), env=_clean_env())
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "--app-id" in lines[0] and "MicrosoftAppId" in lines[0]
    assert not out.exists()


def test_invalid_app_id_fails_on_the_command_line(tmp_path: Path, capsys):
    out = tmp_path / "appPackage.zip"
    code = build.main(
        ["--app-id", "1234", "--out", str(out), "--env-file", str(tmp_path / "absent.env")],
        environ={},
    )
    assert code != 0
    assert "not a GUID" in capsys.readouterr().err
    assert not out.exists()


def test_console_tab_is_offered_in_meetings(manifest: dict):
    (tab,) = manifest["configurableTabs"]
    assert tab["scopes"] == ["groupChat"]
    assert set(tab["context"]) == {"meetingSidePanel", "meetingChatTab", "meetingDetailsTab"}
    assert tab["configurationUrl"] == "https://bot.example.org/console/configure"


def test_domain_falls_back_to_the_public_base_url(tmp_path: Path):
    out = tmp_path / "app.zip"
    code = build.main(["--out", str(out), "--env-file", str(tmp_path / "none")],
                environ={"MicrosoftAppId": APP_ID,
                         "PUBLIC_BASE_URL": "https://focus.example.ac.uk/"})
    assert code == 0
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["validDomains"] == ["focus.example.ac.uk"]
