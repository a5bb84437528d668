"""The person's settings: .env, environment, flags; validated before any browser starts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import EmailStr, Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from optout_bot import TARGETS, countries
from optout_bot.progress import mask_email
from optout_bot.status import BadInput

REASON_MAX_CHARS = 2000
DEFAULT_REASON = (
    "I object to Meta processing my personal data, including my posts, photos, captions and "
    "other content, to develop and improve AI at Meta. I exercise my right to object under "
    "Article 21 of the GDPR. Please stop this processing and confirm that you have done so."
)
FLAGS = {"email": "--email", "country": "--country", "reason": "--reason", "target": "--target"}


# The checks, as plain functions: the settings' validators and `init`'s questions share them.
# A ValueError's text continues "OPTOUT_COUNTRY: " (or "The country ").


def clean_country(value: Any) -> str:
    """An ISO 3166 alpha-2 code, from a code (PT, PRT) or an English name."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("is empty; give an ISO code such as PT or PRT, or the English name")
    try:
        return countries.resolve(value)
    except LookupError:
        close = countries.suggestions(value)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        raise ValueError(
            f"is unknown: {value.strip()!r}.{hint} Give an ISO code such as PT or PRT, or the English name"
        ) from None


def clean_reason(value: str) -> str:
    """Plain line ends, trimmed; "" means the default objection."""
    value = value.replace("\r\n", "\n").strip()
    if len(value) > REASON_MAX_CHARS:
        raise ValueError(f"is {len(value)} characters long; at most {REASON_MAX_CHARS} are accepted")
    return value


def clean_target(value: str) -> str:
    value = value.strip().lower()
    if value not in TARGETS:
        raise ValueError(f"must be one of: {', '.join(TARGETS)}")
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OPTOUT_", extra="ignore", env_file_encoding="utf-8")

    email: EmailStr
    country: str
    reason: str = Field(default=DEFAULT_REASON)
    target: str = "instagram"

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> str:
        return clean_country(value)

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, value: Any) -> Any:
        return (clean_reason(value) or DEFAULT_REASON) if isinstance(value, str) else value

    @field_validator("target", mode="before")
    @classmethod
    def _target(cls, value: Any) -> Any:
        return clean_target(value) if isinstance(value, str) else value

    @property
    def masked_email(self) -> str:
        return mask_email(self.email)


def _check_env_file(path: Path, explicit: bool) -> Path | None:
    if not path.exists():
        if explicit:
            raise BadInput(f"--env-file: {path} does not exist; give the path of a readable .env file")
        return None
    if path.is_dir():
        raise BadInput(f"--env-file: {path} is a folder; give the path of a .env file")
    try:
        path.read_bytes().decode("utf-8")
    except PermissionError:
        raise BadInput(f"--env-file: {path} cannot be read (permission denied)") from None
    except OSError as exc:
        raise BadInput(f"--env-file: {path} cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise BadInput(f"--env-file: {path} is not UTF-8 text; save it as UTF-8") from None
    return path


def _message(err: dict) -> str:
    msg = err["msg"]
    for prefix in ("Value error, ", "value is not a valid email address: "):
        msg = msg.removeprefix(prefix)
    if err["type"] == "missing":
        msg = "is missing"
    elif "email" in err["loc"] and "valid email" not in msg:
        msg = f"is not a valid email address ({msg.rstrip('.')})"
    return msg


def load(env_file: str | None = None, **overrides: str | None) -> Settings:
    """Flags beat environment variables, which beat the .env file. Raise BadInput with one line per problem."""
    path = _check_env_file(Path(env_file or ".env"), explicit=env_file is not None)
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        return Settings(_env_file=path, **given)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            name = f"OPTOUT_{field.upper()}"
            if field in given:
                name += f" ({FLAGS.get(field, field)})"
            lines.append(f"{name}: {_message(err)}")
        raise BadInput("\n".join(lines)) from None
