"""The person's settings: .env, environment, flags; validated before any browser starts."""

from __future__ import annotations

import difflib
import io
import os
import re
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from dotenv.parser import parse_stream
from pydantic import EmailStr, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, InitSettingsSource, SettingsConfigDict

from optout_bot import TARGETS, countries
from optout_bot.progress import EXAMPLE_EMAIL, mask_email
from optout_bot.status import BadInput

REASON_MAX_CHARS = 2000
DEFAULT_REASON = (
    "I object to Meta processing my personal data, including my posts, photos, captions and "
    "other content, to develop and improve AI at Meta. I exercise my right to object under "
    "Article 21 of the GDPR. Please stop this processing and confirm that you have done so."
)
# Brazil's right to object is not the GDPR's: the LGPD lets a person oppose processing done
# without consent (Art. 18, § 2), as Meta's use of posts for AI is.
DEFAULT_REASON_BR = (
    "I object to Meta processing my personal data, including my posts, photos, captions and "
    "other content, to develop and improve AI at Meta. I exercise my right to object under "
    "Article 18, § 2 of Brazil's General Data Protection Law (LGPD). Please stop this processing "
    "and confirm that you have done so."
)


def default_reason(country: str) -> tuple[str, str]:
    """The objection sent when the person gives no reason, and its legal basis in a few words."""
    return (DEFAULT_REASON_BR, "Art. 18 LGPD") if country == "BR" else (DEFAULT_REASON, "Art. 21 GDPR")


FLAGS = {"email": "--email", "country": "--country", "reason": "--reason", "target": "--target"}
# Read from the environment only (not from .env): which browser, and a test-only debugging port.
ENVIRONMENT_ONLY = ("OPTOUT_BROWSER", "OPTOUT_DEBUG_PORT")
_file_values: ContextVar[dict[str, str]] = ContextVar("file_values", default={})


# The checks, as plain functions: the settings' validators and `init`'s questions share them.
# A ValueError's text continues "OPTOUT_COUNTRY: " (or "The country ").


def clean_country(value: Any) -> str:
    """An ISO 3166 alpha-2 code, from a code (PT, PRT) or a name in English or a form's language (Österreich)."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("is empty; give an ISO code such as PT or PRT, or the country's name")
    try:
        return countries.resolve(value)
    except LookupError:
        close = countries.suggestions(value)
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        shown = mask_email(value.strip()) if "@" in value else value.strip()  # an address given here by mistake
        raise ValueError(
            f"is unknown: {shown!r}.{hint} Give an ISO code such as PT or PRT, or the country's name in English or your language"
        ) from None


# .env.example's address: a file copied and not filled in would object for nobody.
PLACEHOLDER_EMAIL = EXAMPLE_EMAIL


def clean_email(value: str) -> str:
    if value.strip().lower() == PLACEHOLDER_EMAIL:
        raise ValueError(f"is the example's placeholder ({PLACEHOLDER_EMAIL}); give the email address of your Instagram or Facebook account")
    return value


def _as_browsers_keep_it(email: str) -> str:
    """An international domain as punycode: a browser's email field keeps it so (p@bücher.de becomes
    p@xn--bcher-kva.de), and the address typed must read back as typed."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(email, check_deliverability=False).ascii_email or email
    except EmailNotValidError:
        return email


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

    @field_validator("email", mode="after")
    @classmethod
    def _email(cls, value: str) -> str:
        return _as_browsers_keep_it(clean_email(value))

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

    @model_validator(mode="after")
    def _reason_for_country(self) -> "Settings":
        if self.reason == DEFAULT_REASON:
            self.reason = default_reason(self.country)[0]
        return self

    @property
    def masked_email(self) -> str:
        return mask_email(self.email)

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings):
        # The .env file as `read_env_file` read it: every line checked, and nothing expanded
        # (a reason with "${HOME}" in it is sent as written, not with the home folder in it).
        return init_settings, env_settings, InitSettingsSource(settings_cls, init_kwargs=_file_values.get())


_MAX_ENV_BYTES = 100_000


def _env_text(path: Path, explicit: bool) -> str | None:
    if not path.exists():
        if explicit:
            raise BadInput(f"--env-file: {path} does not exist; give the path of a readable .env file")
        return None
    if path.is_dir():
        raise BadInput(f"--env-file: {path} is a folder; give the path of a .env file")
    if not path.is_file():  # a named pipe would keep the read waiting, past Ctrl-C
        raise BadInput(f"--env-file: {path} is not a regular file (a pipe or a device); give the path of a .env file")
    try:
        if path.stat().st_size > _MAX_ENV_BYTES:
            raise BadInput(f"--env-file: {path} is larger than {_MAX_ENV_BYTES // 1000} kB; a .env file of settings is a few lines")
        return path.read_bytes().decode("utf-8-sig")
    except PermissionError:
        raise BadInput(f"--env-file: {path} cannot be read (permission denied)") from None
    except OSError as exc:
        raise BadInput(f"--env-file: {path} cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise BadInput(f"--env-file: {path} is not UTF-8 text; save it as UTF-8") from None


_SETTINGS = tuple(f"OPTOUT_{name.upper()}" for name in FLAGS)


def read_env_file(path: Path, text: str, lines_out: dict[str, int] | None = None) -> dict[str, str]:
    """The settings in a .env file, by field name. A line the file format cannot read, a setting
    whose name is misspelt, or a reason an unquoted '#' would cut short stops the run here: with
    python-dotenv alone each would silently send something other than what the person wrote."""
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    for binding in parse_stream(io.StringIO(text)):
        # A binding's text starts with the blank lines before it: its own line comes after them.
        blank = binding.original.string[:len(binding.original.string) - len(binding.original.string.lstrip())]
        line = binding.original.line + blank.count("\n")
        where = f"{path} (line {line})"
        if binding.error:  # named by its key alone: the line may hold the address
            name = re.match(r"\s*(?:export\s+)?([\w.-]*)", binding.original.string).group(1)
            raise BadInput(f"--env-file: {path}, line {line}{f' ({name})' if name else ''}, cannot be read; check its quotes "
                           "(a value with spaces or # goes in double quotes, closed on the same line)")
        key = (binding.key or "").upper()
        if not key.startswith("OPTOUT_") or binding.value is None:
            continue  # other tools' settings may share the file
        if key in ENVIRONMENT_ONLY:
            raise BadInput(f"{key} in {where} is read from the environment, not from .env; "
                           f"set it when you run the command ({key}=... optout-bot ...)")
        if key not in _SETTINGS:
            # A misspelt setting would be ignored and its default used; any other name is not ours to judge.
            close = difflib.get_close_matches(key.removeprefix("OPTOUT_"), [k.removeprefix("OPTOUT_") for k in _SETTINGS], n=1, cutoff=0.75)
            if close:
                raise BadInput(f"{key} in {where} is not a setting (did you mean OPTOUT_{close[0]}?); "
                               f"the settings are {', '.join(_SETTINGS)}")
            continue
        if key in lines:
            raise BadInput(f"{key} is set twice in {path} (lines {lines[key]} and {line}); keep the one you mean")
        lines[key] = line
        raw = binding.original.string.split("=", 1)[1].lstrip(" \t")
        if key == "OPTOUT_REASON" and raw[:1] not in ("'", '"') and re.search(r"\s#", raw.rstrip("\r\n")):
            raise BadInput(f"OPTOUT_REASON in {where}: the text from ' #' on would be read as a comment and cut "
                           "from your reason; put the whole reason in double quotes")
        values[key.removeprefix("OPTOUT_").lower()] = binding.value
        if lines_out is not None:
            lines_out[key.removeprefix("OPTOUT_").lower()] = line
    return values


def _message(err: dict) -> str:
    msg = err["msg"]
    for prefix in ("Value error, ", "value is not a valid email address: "):
        msg = msg.removeprefix(prefix)
    if "email" in err["loc"] and "valid email" not in msg and not msg.startswith("is "):  # not clean_email's own
        msg = f"is not a valid email address ({msg.rstrip('.')})"
    return msg


def spelt_in_environment(name: str) -> str | None:
    """How the environment spells the setting `name` (OPTOUT_EMAIL), if it sets it: in any case, as
    the settings read it."""
    return next((key for key in os.environ if key.upper() == name), None)


def load(env_file: str | None = None, flags: bool = True, **overrides: str | None) -> Settings:
    """Flags beat environment variables, which beat the .env file. Raise BadInput naming every problem
    and where it was set (`flags`: the command has --email and --country, to name as a way out)."""
    path = Path(env_file or ".env")
    text = _env_text(path, explicit=env_file is not None)
    given = {k: v for k, v in overrides.items() if v is not None}
    lines: dict[str, int] = {}
    token = _file_values.set(read_env_file(path, text, lines) if text is not None else {})
    try:
        return Settings(_env_file=None, **given)
    except ValidationError as exc:
        problems, missing = [], []
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "?"
            name = f"OPTOUT_{field.upper()}"
            if err["type"] == "missing":
                missing.append(name)
                continue
            if field in given:
                name += f" ({FLAGS.get(field, field)})"
            elif spelt := spelt_in_environment(name):
                # It beats the file: editing the file (or init) would not change it. Read in any case.
                name += " (set in the environment)" if spelt == name else f" (set in the environment as {spelt})"
            elif field in lines:
                name += f" ({path}, line {lines[field]})"
            problems.append(f"{name}: {_message(err)}")
        if missing:
            named = " and ".join(FLAGS[name.removeprefix("OPTOUT_").lower()] for name in missing)
            problems.append(f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} missing: run `optout-bot init` "
                            f"to write your settings to {path}" + (f", or give {named}" if flags else ""))
        raise BadInput("; ".join(problems)) from None
    finally:
        _file_values.reset(token)
