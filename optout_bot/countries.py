"""Country lookup and names in the page's language, all from pycountry's ISO 3166 data (and ISO 639 for language names)."""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import lru_cache

import pycountry

from optout_bot import LANGUAGES, SAME_LANGUAGE


def fold(text: str) -> str:
    """Compare names the way a person reads them: case, accents, spacing and a flag or other symbol
    beside the name ("🇫🇷 France") do not matter."""
    decomposed = unicodedata.normalize("NFKD", text)
    # Combining marks (accents, emoji presentation), symbols (flags are pairs of regional
    # indicators) and invisible format characters (a subdivision flag's tags, zero-width joiners).
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) not in ("So", "Cf"))
    return " ".join(stripped.casefold().split())


def without_code(name: str, alpha_2: str) -> str:
    """`name` without the country's own code after it, as a list may show it ("Portugal (PT)"), or a
    dial code ("Austria (+43)": a phone-style picker); another country's code stays ("Congo (CD)" is
    not Congo, CG)."""
    name = re.sub(r"\s*[(\[]\s*\+\s*\d[\d\s-]*[)\]]\s*$", "", name)
    return re.sub(rf"\s*[(\[]\s*{re.escape(alpha_2)}\s*[)\]]\s*$", "", name, flags=re.IGNORECASE)


def _english_names(country) -> list[str]:
    names = [country.name]
    for attr in ("common_name", "official_name"):
        value = getattr(country, attr, None)
        if value and value not in names:
            names.append(value)
    return names


# Names people use that ISO 3166 does not list.
_ALIASES = {"uk": "GB", "great britain": "GB", "britain": "GB", "holland": "NL", "the netherlands": "NL",
            "republic of ireland": "IE", "eire": "IE", "el": "GR"}  # EL: the EU's own code for Greece


@lru_cache(maxsize=1)
def _name_index() -> dict[str, str]:
    index: dict[str, str] = dict(_ALIASES)
    for country in pycountry.countries:
        for name in _english_names(country):
            index.setdefault(fold(name), country.alpha_2)
    return index


@lru_cache(maxsize=1)
def _nation_index() -> dict[str, str]:
    """Nations within a country that people give as where they live: England, Scotland, Wales
    ('Cymru') and Northern Ireland are the United Kingdom (ISO 3166-2; read only when a name is
    no country's, as the subdivisions take ~70 ms to load)."""
    index: dict[str, str] = {}
    for part in pycountry.subdivisions:
        if part.type == "Country" or part.code == "GB-NIR":
            name, _, other = part.name.partition(" [")  # "Wales [Cymru GB-CYM]"
            for each in (name, other.split(" ")[0]):
                if each:
                    index.setdefault(fold(each), part.country_code)
    return index


@lru_cache(maxsize=1)
def _native_index() -> dict[str, str]:
    """Names in the forms' languages ('Österreich', 'Polónia'); built only for a name that is not English."""
    index: dict[str, str] = {}
    for language in FORM_LANGUAGES:
        translate = _translator(language).gettext
        for country in pycountry.countries:
            for name in _english_names(country):
                index.setdefault(fold(translate(name)), country.alpha_2)
    return index


def resolve(value: str) -> str:
    """ISO alpha-2 for an alpha-2 or alpha-3 code or a name in English or a form's language, any
    case; else LookupError."""
    text = value.strip()
    if len(text) in (2, 3) and text.isalpha() and fold(text) not in _ALIASES:
        found = pycountry.countries.get(**{f"alpha_{len(text)}": text.upper()})
        if found:
            return found.alpha_2
    code = _name_index().get(fold(text)) or _native_index().get(fold(text)) or _nation_index().get(fold(text))
    if code:
        return code
    raise LookupError(text)


def suggestions(value: str) -> list[str]:
    """The closest names, given in English, for a typo such as 'Portgual' or 'Osterrich'."""
    import difflib  # only on a typo: not imported on every run's start

    index = {**_nation_index(), **_native_index(), **_name_index()}
    folded = difflib.get_close_matches(fold(value), list(index), n=3, cutoff=0.6)
    names = []
    for key in folded:
        name = pycountry.countries.get(alpha_2=index[key]).name
        if name not in names:
            names.append(name)
    return names


def alpha_3(alpha_2: str) -> str:
    return pycountry.countries.get(alpha_2=alpha_2).alpha_3


def english_name(alpha_2: str) -> str:
    return pycountry.countries.get(alpha_2=alpha_2).name


@lru_cache(maxsize=32)
def _translator(language: str) -> gettext.NullTranslations:
    # "pt-BR" -> try pt_BR, then pt; an unknown language falls back to English.
    tag = language.replace("-", "_")
    candidates = [tag, tag.split("_")[0]] if "_" in tag else [tag]
    candidates += [SAME_LANGUAGE[c.lower()] for c in candidates if c.lower() in SAME_LANGUAGE]
    candidates += [_CATALOGUES[c.lower()] for c in candidates if c.lower() in _CATALOGUES]
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=candidates, fallback=True)


def names_in(alpha_2: str, language: str | None) -> list[str]:
    """Names a page in `language` may use for the country, most likely first, English last."""
    country = pycountry.countries.get(alpha_2=alpha_2)
    english = _english_names(country)
    names: list[str] = []
    if language and not language.lower().startswith("en"):
        translate = _translator(language).gettext
        names += [translate(n) for n in english]
    names += english
    return list(dict.fromkeys(names))


# The languages of Meta's forms in the countries with a right to object, Brazil's Portuguese apart.
FORM_LANGUAGES = tuple(language for language in LANGUAGES if language != "en") + ("pt_BR",)
# pycountry keeps some catalogues under a region.
_CATALOGUES = {"nb": "nb_NO"}


def names_anywhere(alpha_2: str) -> list[str]:
    """The country's names in every form language: for a list whose page does not say its language,
    or says another one than its list is in."""
    names: list[str] = []
    for language in FORM_LANGUAGES:
        names += names_in(alpha_2, language)
    return list(dict.fromkeys(names))


def language_name(tag: str) -> str:
    """'sv-SE' -> 'Swedish (sv-SE)'; the tag alone when pycountry does not know it."""
    language = pycountry.languages.get(alpha_2=re.split(r"[-_]", tag)[0].lower())
    return f"{re.sub(r' [(].*', '', language.name)} ({tag})" if language else tag


# Where a right to object to Meta's AI training is reported (the EU and EEA, the UK, Brazil).
_EU = "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
# EU territory with codes of their own: France's outermost regions and Saint-Martin, and Åland.
_EU_REGIONS = "GF GP MQ RE YT MF AX".split()
RIGHT_TO_OBJECT = frozenset(_EU + _EU_REGIONS + ["IS", "LI", "NO", "GB", "BR"])


def outside_note(alpha_2: str) -> str | None:
    """What to say when the country is not among those with the right to object; None when it is."""
    if alpha_2 in RIGHT_TO_OBJECT:
        return None
    return (f"Meta offers this objection in the EU and EEA, the UK and Brazil; {english_name(alpha_2)} is not among them, "
            "so Meta's form may not be offered to you, or may not apply.")

