"""Recipes: everything site-specific, kept as validated data (one JSON file per target)."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any, Collection, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError, field_validator, model_validator

from optout_bot import LANGUAGES, SAME_LANGUAGE, TARGETS
from optout_bot.status import OptoutError

Vocabulary = dict[str, list[str]]  # language -> phrases


def primary_language(tag: str) -> str:
    """The recipes' code for a page's language tag: 'sv' for 'sv-SE', 'nb' for 'no'; '' for none."""
    primary = re.split(r"[-_]", tag.strip().lower())[0]
    return SAME_LANGUAGE.get(primary, primary)


def reads_language(tag: str) -> bool:
    """Whether the recipes have words for a page in language `tag` ('sv-SE', 'pt_BR'); True when the
    tag names no language ('', 'und', 'x-default'): then only the page's words can tell."""
    primary = primary_language(tag)
    return not re.fullmatch(r"[a-z]{2}", primary) or primary in LANGUAGES


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# Where the phrases must stand in the text: anywhere; at its start (a button's "Send", not "Resend
# code"); at the start of a word (a page text: 'merci' is not in 'commercial', 'nie zostało' not in
# 'zgłoszenie zostało'; JavaScript's \w is ASCII, so accented Latin, Greek and Cyrillic letters are
# listed); as the whole text (a radio labelled 'Yes', not 'Yes, but not now'); as a whole word
# ('nie', not the start of 'niezbędne'); or as a whole word written in capitals (an abbreviation:
# 'KI', not 'Kinder' or the 'ki' of another language).
Placement = Literal["anywhere", "start", "word", "whole", "whole word", "abbreviation"]
WORD_CHARS = r"0-9A-Za-z_\u00C0-\u024F\u0370-\u03FF\u0400-\u04FF\u1E00-\u1FFF"
# Before a button's words, what is no word: spaces, arrows and symbols ("➤ Senden"), an icon font's
# private-use glyphs (text, so part of the accessible name), emoji ("📨 Send": JavaScript's patterns
# see them as surrogate pairs) with their joiners and variation selectors.
_LEAD = r"[\s\u00BB\u2022\u203A\u2190-\u2BFF\uE000-\uF8FF\uD800-\uDFFF\uFE0F\u200D]*"
_PLACED = {"anywhere": "{}", "start": rf"^{_LEAD}{{}}", "word": rf"(?<![{WORD_CHARS}]){{}}", "whole": rf"^{_LEAD}{{}}{_LEAD}$",
           "whole word": rf"(?<![{WORD_CHARS}]){{}}(?![{WORD_CHARS}])", "abbreviation": rf"(?<![{WORD_CHARS}])(?-i:{{}})(?![{WORD_CHARS}])"}


def phrase_pattern(phrases: list[str], at: Placement = "anywhere") -> str:
    """A JS-compatible pattern source: apostrophes, spaces and hyphens as a person types them."""
    parts = []
    for phrase in phrases:
        piece = re.escape(phrase.strip())
        piece = piece.replace("'", "['’]").replace(r"\ ", r"\s+").replace(" ", r"\s+")
        piece = piece.replace(r"\-", "[-\u2010\u2011]")  # "E‑Mail" with a non-breaking hyphen too
        piece = re.sub("[șşțţ]", lambda m: _CEDILLA[m.group()], piece)  # Romanian written with either
        parts.append(piece)
    body = "|".join(sorted(set(parts), key=lambda part: (-len(part), part)))  # longest first; the same order every run
    return _PLACED[at].format(f"(?:{body})" if body else "(?!)")  # no words match nothing, not everywhere


_CEDILLA = {"ș": "[șş]", "ş": "[șş]", "ț": "[țţ]", "ţ": "[țţ]"}


@lru_cache(maxsize=None)
def _compile(source: str) -> re.Pattern:
    """Every pattern of the recipes is compiled here, once. Python's `re` takes ~0.2 s for all of
    them (they run to 20 KB), so patterns are composed as sources and only what is used compiled."""
    return re.compile(source, re.IGNORECASE)


@lru_cache(maxsize=None)
def phrase_source(phrases: tuple[str, ...], at: Placement = "anywhere") -> str:
    return phrase_pattern(list(phrases), at)


def compiled(phrases: tuple[str, ...], at: Placement = "anywhere") -> re.Pattern:
    """The phrases as one case-blind pattern, built once: every look at a page asks for it again."""
    return _compile(phrase_source(phrases, at))


def _alternation(*sources: str) -> re.Pattern:
    """Any of the patterns, each keeping its own anchoring."""
    return _compile("|".join(sources))


def _together(a: str, b: str) -> re.Pattern:
    return _compile(rf"(?:{a})[\s\S]*(?:{b})|(?:{b})[\s\S]*(?:{a})")


def _outside(words: str, phrases: str, to_sentence_end: bool = False) -> str:
    """`words` where they stand outside every one of `phrases`: read from the start, a phrase is
    taken whole, so a match never begins inside one ("If this wasn't you" holds no "wasn't").
    With `to_sentence_end`, a phrase found anywhere (a heading's text runs into the next block's)
    takes the rest of its sentence with it.

    A phrase is taken once, as the longest the alternation gives (`(?=(x))\\1`: JavaScript has no
    atomic groups): phrases that begin alike ('déjà opposé', 'déjà opposée') would otherwise be
    tried in every combination on a text that repeats them. That group must be the pattern's
    first: `_outside` comes first wherever it is used."""
    # "se não foi tu", never the start of "tudo"
    whole = rf"(?:{phrases}){_SENTENCE_GAP}" if to_sentence_end else rf"(?:{phrases})(?![{WORD_CHARS}])"
    return rf"^(?:(?=({whole}))\1|(?!{whole})[\s\S])*?(?!{whole})(?:{words})"


# Within a sentence, a full stop inside an email address ("john.doe@example.de") or between digits
# (a date, "12.03.2025") ends nothing, the one after it does. (Any full stop before a non-space would
# not do: a heading's text runs into the next block's unspaced, "Thanks.Open the link".)
_IN_NUMBER = r"(?<=\d)\.(?=\d)"
_SENTENCE_GAP = rf"(?:[^.!?;@]|{_IN_NUMBER}|\.(?=[\w.+*-]*@)|@[\w*-]+(?:\.[\w*-]+)*){{0,300}}"
_IN_SENTENCE = rf"(?:[^.!?;]|{_IN_NUMBER})"


def _split_sentences(text: str) -> list[str]:
    """An answer's sentences, as flow._sentences joined its lines (a colon ends one too)."""
    return re.split(r"(?<=[.!?;:])\s+", text)


def _in_one_sentence(a: str, b: str) -> str:
    """Both in one sentence ("we sent you a new code", not "the code we sent expired. Ask for a new code")."""
    return rf"(?:{a}){_SENTENCE_GAP}(?:{b})|(?:{b}){_SENTENCE_GAP}(?:{a})"


def _then_next_sentence(a: str, b: str) -> str:
    """`a` in a sentence, and `b` opening the next ("We sent you a link. Open it to confirm")."""
    return rf"(?:{a}){_SENTENCE_GAP}[.!?;][\s\u00BB\u201C\u201D\u201E\"']*(?:{b})"


def _in_one_plain_sentence(a: str, b: str, negation: str) -> str:
    """Both in one sentence, with no negation before the second ("Tu solicitud no se completó con
    éxito"; after both, a negation is about something else: "... con éxito y no usaremos tus datos")."""
    # From a sentence's start: both ahead in it (cheap), and only then the walk that skips no
    # negation. Spans are bounded, so a long text without full stops costs no more than a short one.
    def pair(gap: str) -> str:
        return rf"(?:{a}){gap}(?:{b})|(?:{b}){gap}(?:{a})"

    ahead = rf"{_IN_SENTENCE}{{0,200}}?"
    plain = rf"(?:(?!{negation}){_IN_SENTENCE}){{0,200}}?"
    return rf"(?:^|[.!?;])(?={ahead}(?:{pair(ahead)})){plain}(?:{pair(plain)})"


def _phrases(vocabulary: Vocabulary) -> tuple[str, ...]:
    return tuple(p for words in vocabulary.values() for p in words)


def _in(vocabulary: Vocabulary, languages: list[str]) -> tuple[str, ...]:
    """Its phrases in these languages only."""
    return tuple(p for language in languages for p in vocabulary.get(language, ()))


class Element(_Strict):
    """How to find one thing on a page, layer by layer."""

    description: str
    role: str | None = None  # ARIA role for the first layer
    also_roles: list[str] = Field(default_factory=list)  # more roles it may have (<input type=number> is a spinbutton)
    prefer: str | None = None  # CSS: within a layer, matches of this come first (links to a contact form)
    weak_names: Vocabulary = Field(default_factory=dict)  # bare stems, good enough only on `prefer` matches
    names: Vocabulary = Field(default_factory=dict)  # accessible names / labels / placeholders
    anchored: bool = False  # names must start the accessible name (buttons)
    exclude_names: Vocabulary = Field(default_factory=dict)
    must_match: str | None = None  # CSS every candidate must match (an email field is an <input>)
    must_not_match: str | None = None  # CSS no candidate may match
    # XPath test no ancestor may pass (a log-in bar's fields are never the form's); XPath, because
    # the browser answers it natively where a CSS ':not(x *)' is walked in script.
    not_inside: str | None = None
    outside_chrome: bool = False  # never inside the recipe's page_chrome (joined into not_inside on load)
    selectors: list[str] = Field(default_factory=list)  # language-free structural signals, in order
    # Last, the first field after a short text that names it: a <label> without `for`, a table's cell
    # ("nearby" layer). Only for a field whose words are not said in passing near others'.
    nearby: bool = False
    # A field a person cannot see (a honeypot) is never this one, even where it takes keyboard focus:
    # for fields no form draws unseen (the email, the reason); a code widget's input may be transparent.
    seen_only: bool = False

    @field_validator("names", "weak_names", "exclude_names")
    @classmethod
    def _known_languages(cls, value: Vocabulary) -> Vocabulary:
        unknown = set(value) - set(LANGUAGES)
        if unknown:
            raise ValueError(f"unknown language codes {sorted(unknown)}; use {', '.join(LANGUAGES)}")
        return value

    @property
    def _at(self) -> Placement:
        return "start" if self.anchored else "anywhere"

    def pattern(self) -> re.Pattern | None:
        phrases = _phrases(self.names)
        return compiled(phrases, self._at) if phrases else None

    def whole_pattern(self) -> re.Pattern | None:
        """The names as the whole text: 'Send', not 'Submit another request'."""
        phrases = _phrases(self.names)
        return compiled(phrases, "whole") if phrases else None

    def nearby_pattern(self) -> re.Pattern | None:
        """A short text (a label's: up to 60 characters) that holds one of the names."""
        phrases = _phrases(self.names)
        return _compile(rf"^(?=[\s\S]{{0,60}}$)[\s\S]*?{phrase_source(phrases, 'word')}") if phrases else None

    def preferred_pattern(self) -> re.Pattern | None:
        """The names and the weak names: what a `prefer` match may be called."""
        phrases = _phrases(self.names) + _phrases(self.weak_names)
        return compiled(phrases, self._at) if phrases else None

    def name_rank(self, text: str) -> int:
        """How strongly `text` names the element: the place in its language's list of the earliest
        listed phrase it holds (names are listed strongest first), weak names after all names."""
        strong = max(map(len, self.names.values()), default=0)
        ranks = [i for words in self.names.values() for i, p in enumerate(words) if compiled((p,), self._at).search(text)]
        ranks += [strong + i for words in self.weak_names.values() for i, p in enumerate(words) if compiled((p,), self._at).search(text)]
        return min(ranks, default=strong + max(map(len, self.weak_names.values()), default=0))

    def exclude_pattern(self, at: Placement = "anywhere") -> re.Pattern | None:
        phrases = _phrases(self.exclude_names)
        return compiled(phrases, at) if phrases else None


class Verified(_Strict):
    date: dt.date | None  # None: never checked against the live site yet
    languages: list[str]
    how: str

    @model_validator(mode="after")
    def _dated_means_languages(self) -> "Verified":
        unknown = set(self.languages) - set(LANGUAGES)
        if unknown:
            raise ValueError(f"last_verified.languages: unknown codes {sorted(unknown)}; use {', '.join(LANGUAGES)}")
        if self.date is not None and not self.languages:
            raise ValueError("last_verified: a recipe checked against the live site names the languages it was checked in")
        if not self.how.strip():
            raise ValueError("last_verified.how: say how (and whether) the recipe was checked against the live site")
        return self


class Recipe(_Strict):
    target: Literal["instagram", "facebook"]
    display_name: str
    start_url: HttpUrl
    meta_domains: list[str]  # allowed, with their subdomains
    # The app's name as it stands in its addresses ("instagram" in help.instagram.com and in
    # www.facebook.com/help/instagram/): a page named for another app is that app's, whatever the
    # id of its form (Meta changes them).
    address_names: list[str]
    fallback_form_urls: list[HttpUrl]
    last_verified: Verified
    after_confirmation: str
    # The page's own chrome (header, navigation, search), as an XPath test on an ancestor: fields
    # and sections there are never the form's, and an empty field there asks nothing of the person.
    page_chrome: str
    link: Element
    # Meta's generic objection form first asks whether the request is about AI at Meta; the
    # objection fields show after answering yes (words of the question, and of that answer).
    ai_question: Vocabulary
    # AI named in a title: with the link's words for objecting, what says a form is the objection
    # form (Meta's other forms ask for the same fields). Phrases in capitals are abbreviations.
    ai_text: Vocabulary
    yes_answer: Vocabulary
    country: Element
    email: Element
    reason: Element
    send: Element
    # Whole words of a button that leads on to more of a form split over pages ("Next", "Weiter"):
    # pressed, it sends no objection, so it is never pressed as Send when no one watches.
    onward_text: Vocabulary
    code: Element
    confirm: Element
    confirmation_text: Vocabulary
    # A word of success confirms only in one sentence with the request itself ("Your request was
    # submitted successfully"), not beside anything else ("The link was sent successfully. Open it"),
    # and not after a negation ("no se completó con éxito").
    success_text: Vocabulary
    request_text: Vocabulary
    negation_text: Vocabulary  # whole words
    # Negations too short to be told from other languages' words (Romanian "nu" is Danish "now"):
    # read only on a page in their own language (see turned_down_in).
    short_negation_text: Vocabulary = Field(default_factory=dict)
    # "No request was received", "Es wurde kein Widerspruch erhalten": words that negate the thanks
    # phrase they stand right before (turned_down_in); never read alone ("No further action needed").
    negative_determiner_text: Vocabulary = Field(default_factory=dict)
    # "We'll review your request", "Requests are not fulfilled automatically": thanks that leave the
    # decision to come (Meta's email). Still a receipt, but said as received, not as accepted.
    review_text: Vocabulary = Field(default_factory=dict)
    not_received_text: Vocabulary  # "didn't get the email?": a hint beside thanks, which it makes no thanks
    # Whole words that open a sentence which only supposes ("If you didn't make this request, ..."):
    # whatever it negates, it turns nothing down.
    condition_text: Vocabulary = Field(default_factory=dict)
    # Phrases that hold a negation and turn nothing down ("won't use your information", "you don't
    # need to send another request"): no doubt beside thanks (see turned_down_in).
    not_refusal_text: Vocabulary = Field(default_factory=dict)
    # A step still to take through a link in an email ("Open the link we emailed you to confirm it",
    # "a confirmation link"): whatever thanks stand beside it, nothing is confirmed yet. A word for a
    # link (whole words) and a verb of confirming or finishing (whole words: not "confirmation" or
    # "confirmed") in one sentence, or a phrase that says both.
    link_text: Vocabulary
    verify_text: Vocabulary
    verify_link_text: Vocabulary
    # Words that start a sentence about the link of the sentence before ("We sent you a link. Open it
    # to confirm"): together, a step still to take (whole words).
    link_back_text: Vocabulary = Field(default_factory=dict)
    already_text: Vocabulary  # "you've already objected": Meta's answer when an objection already stands
    # "Ya hemos recibido tu oposición": "we've already received it", or as often "we've now received
    # it". Never an answer on its own; beside already_text words, thanks inside these are no thanks.
    already_received_text: Vocabulary = Field(default_factory=dict)
    error_text: Vocabulary  # what went wrong, wherever it is said (a value "not valid" too)
    # That something went wrong, said of the request as a whole ("A problem occurred"): a refusal, but
    # not in a sentence opened by one of its language's condition_text words ("If there was a problem
    # with your request, we'll let you know") under thanks.
    problem_text: Vocabulary = Field(default_factory=dict)
    field_error_text: Vocabulary  # a field's complaint ("required"): a refusal only while the form is there
    # Phrases that hold error words and say nothing went wrong: "If this wasn't you" under thanks.
    not_error_text: Vocabulary = Field(default_factory=dict)
    # The code expired: another try with it is pointless; only Meta can send a new one. Whole words,
    # each form listed: a word start of one language is part of another's words ("expirat",
    # "expiration") and of the same word's other senses ("Hoe is het verlopen?", "how did it go?").
    expired_text: Vocabulary
    new_code_text: Vocabulary  # "a new code", and
    code_sent_text: Vocabulary  # "we sent": together beside an expiry, Meta sent the new code itself
    cookie_dialog: Element
    cookie_banner: Element  # a banner that is no dialog, by the site's own markers
    cookie_decline: Element
    cookie_accept: Element
    login_wall: Element
    login_prompt: Element  # a page that only offers 'Log in' (no password field yet)
    login_path_words: list[str]  # an address whose path has one of these is a log-in page

    @model_validator(mode="before")
    @classmethod
    def _join_chrome(cls, data: Any) -> Any:
        """An element marked outside_chrome gets page_chrome in its not_inside: one definition."""
        if not isinstance(data, dict) or not isinstance(data.get("page_chrome"), str):
            return data
        chrome = data["page_chrome"]
        joined = {}
        for name, value in data.items():
            if isinstance(value, dict) and value.get("outside_chrome"):
                own = value.get("not_inside")
                value = {**value, "not_inside": f"{chrome} or ({own})" if own else chrome}
            joined[name] = value
        return joined

    @model_validator(mode="after")
    def _known_languages(self) -> "Recipe":
        """Every word list is keyed by a language the recipes know ('eng' would be read by no page)."""
        for name, field in type(self).model_fields.items():
            if field.annotation == Vocabulary and (unknown := set(getattr(self, name)) - set(LANGUAGES)):
                raise ValueError(f"{name}: unknown language codes {sorted(unknown)}; use {', '.join(LANGUAGES)}")
        return self

    def text_pattern(self, *vocabularies: Vocabulary) -> re.Pattern:
        """Phrases of page texts, each at the start of a word."""
        return _compile(self._text(*vocabularies))

    def _text(self, *vocabularies: Vocabulary) -> str:
        return phrase_source(tuple(p for vocabulary in vocabularies for p in _phrases(vocabulary)), "word")

    def error_pattern(self, fields: bool = False) -> re.Pattern:
        """What went wrong (a code that expired too); with `fields`, also a field's complaints. Not
        error words inside a phrase that says nothing went wrong."""
        return _compile(self.error_source(fields))

    def error_source(self, fields: bool = False) -> str:
        """error_pattern's source, uncompiled (the browser compiles it too)."""
        said = (self.error_text, self.problem_text, self.field_error_text) if fields else (self.error_text, self.problem_text)
        words = f"{self._text(*said)}|{self._expired()}"
        # Each language's condition words with its own problem words only: Spanish "Se ha producido
        # un problema" opens with Italian's and Portuguese's "if".
        supposed = [rf"{phrase_source(tuple(self.condition_text[lang]), 'whole word')}{_IN_SENTENCE}{{0,120}}?"
                    rf"{phrase_source(tuple(problems), 'word')}"
                    for lang, problems in self.problem_text.items() if problems and self.condition_text.get(lang)]
        not_errors = ([self._text(self.not_error_text)] if self.not_error_text else []) + supposed
        return _outside(words, "|".join(not_errors)) if not_errors else words

    def confirmation_pattern(self, not_already: bool = False) -> re.Pattern:
        """Words that say the request was received or will apply. With `not_already`, not those
        that are part of saying an objection already stood ("Ya hemos recibido tu oposición",
        "We've already received your objection"); a sentence that says both is no thanks."""
        negation = phrase_source(_phrases(self.negation_text), "whole word")
        thanks = self._text(self.confirmation_text)
        if not_already:
            said = (self.already_text, self.already_received_text)
            anywhere = phrase_source(tuple(p for vocabulary in said for p in _phrases(vocabulary)))
            thanks, negation = _outside(thanks, anywhere, to_sentence_end=True), f"{negation}|{self._text(*said)}"
        success = _in_one_plain_sentence(self._text(self.success_text), self._text(self.request_text), negation)
        return _alternation(thanks, success)

    def turned_down_in(self, text: str, lang: str = "", also: Collection[str] = ()) -> str | None:
        """The first sentence of an answer (its lines joined into sentences, as flow._sentences does)
        that speaks of the request or objection with a negation ("Nach Prüfung können wir deinem Widerspruch nicht nachkommen"): thanks beside it may be a
        refusal in words the recipe does not know. Only what comes before a word that opens a
        supposition counts ("We'll let you know if we can't apply it"), never a negation that turns
        nothing down (not_refusal_text: "we won't use your information"), nor a sentence that says
        the objection already stood or that an email did not come, unless it negates thanks words
        themselves ("We have not received your objection", "No request was received"). Read in the page's language
        `lang` where the recipe has it (with its short negations), else in all of them: a word of one
        language is another's everyday word (Spanish "no" is Latvian "from"; English "form" begins
        Spanish "forma"). Where the page's language is known, a sentence is also read in each of `also`
        (the form page's other languages: English strings Meta left untranslated, a page tagged with
        another language than its words'), each language's negation with its own request words, and
        without short negations."""
        primary = primary_language(lang)
        known = primary in LANGUAGES and primary in self.negation_text  # a recipe narrowed to other languages has no words for it
        if known:
            readings = [self._refusal_words((primary,), short=True)]
            readings += [self._refusal_words((other,)) for other in sorted(set(also) - {primary}) if other in self.negation_text]
        else:
            readings = [self._refusal_words(tuple(LANGUAGES))]
        already, not_received = (self.text_pattern(v) for v in (self.already_text, self.not_received_text))  # built already
        for sentence in _split_sentences(text):
            if already.search(sentence):
                continue
            # "Didn't get the email?" is no refusal; "We have not received your objection" is one.
            email_only = not_received.search(sentence)
            for negation, request, supposing, benign, unthanked in readings:
                said = benign.sub(" ", supposing.split(sentence, maxsplit=1)[0])
                if not request.search(said):
                    continue
                if (not email_only and negation.search(said)) or (unthanked.search(said) and not said.rstrip().endswith("?")):
                    return " ".join(sentence.split())
        return None

    def review_in(self, text: str) -> str | None:
        """The first sentence of an answer that leaves the decision for later (review_text), or None."""
        words = self.text_pattern(self.review_text)
        return next((" ".join(s.split()) for s in _split_sentences(text) if words.search(s)), None)

    def _refusal_words(self, langs: tuple[str, ...], short: bool = False) -> tuple[re.Pattern, ...]:
        """turned_down_in's negation, request, supposition, benign-negation and negated-thanks patterns in `langs`."""
        negations = _in(self.negation_text, langs) + (_in(self.short_negation_text, langs) if short else ())
        negation = _compile(phrase_source(negations, "whole word"))
        # A negation or "no" at most two words before thanks words; no comma or dash between ("Don't worry, we've received it").
        thanks = phrase_source(_in(self.confirmation_text, langs))
        unthanked = _compile(rf"{phrase_source(negations + _in(self.negative_determiner_text, langs), 'whole word')}"
                             rf"(?:\s+[^\s.!?;:,\u2013\u2014]+){{0,2}}?\s+(?:{thanks})")
        request = _compile(phrase_source(_in(self.request_text, langs), "word"))
        supposing = _compile(phrase_source(_in(self.condition_text, langs), "whole word"))
        benign = _compile(phrase_source(_in(self.not_refusal_text, langs), "word"))
        return negation, request, supposing, benign, unthanked

    def pending_pattern(self) -> re.Pattern:
        """A step still to take through a link in an email (see link_text)."""
        return _compile(self.pending_source())

    def pending_source(self) -> str:
        """pending_pattern's source, uncompiled."""
        link, verify, back = (phrase_source(_phrases(v), "whole word") for v in (self.link_text, self.verify_text, self.link_back_text))
        sources = [_in_one_sentence(link, verify), self._text(self.verify_link_text)]
        if self.link_back_text:
            sources.append(_then_next_sentence(link, back))
        return "|".join(sources)

    def together(self, first: Vocabulary, second: Vocabulary) -> re.Pattern:
        """Page text holding phrases of both, in either order ("haven't received your code")."""
        return _together(self._text(first), self._text(second))

    def says_expired(self, message: str) -> bool:
        """The site says the code expired and nothing else is wrong ('incorrect or expired' may be a typo)."""
        expired = self.expired_pattern()
        return bool(expired.search(message)) and not self.error_pattern(fields=True).search(expired.sub(" ", message))

    def expired_pattern(self) -> re.Pattern:
        return _compile(self._expired())

    def _expired(self) -> str:
        return phrase_source(_phrases(self.expired_text), "whole word")

    def _objecting(self) -> tuple[str, ...]:
        return _phrases(self.link.names) + _phrases(self.link.weak_names)

    def objecting_source(self) -> str:
        """Words of objecting (not of AI: a sign-up box for news about AI speaks of it too), as a source."""
        return phrase_source(self._objecting(), "word")

    def objecting_pattern(self) -> re.Pattern:
        return _compile(self.objecting_source())

    def send_source(self) -> str:
        """Send's names as a button's words must start with them, as a source."""
        return phrase_source(_phrases(self.send.names), self.send._at)

    def purpose_pattern(self) -> re.Pattern:
        """Text that says a form is for objecting, or is about AI."""
        words = self._objecting()
        words += tuple(p for p in _phrases(self.ai_text) if not p.isupper())
        return _alternation(phrase_source(words, "word"), phrase_source(tuple(p for p in _phrases(self.ai_text) if p.isupper()), "abbreviation"))

    def ai_pattern(self) -> re.Pattern:
        """Text that speaks of AI ("AI", "KI" as abbreviations, case and all)."""
        return _alternation(phrase_source(tuple(p for p in _phrases(self.ai_text) if not p.isupper()), "word"),
                            phrase_source(tuple(p for p in _phrases(self.ai_text) if p.isupper()), "abbreviation"))

    def purpose_of(self, title: str) -> Literal["objection", "other", "unrecognised"]:
        """What a form's title says it is for: 'other' when it names another purpose (third
        parties, marketing, ads), else 'objection' when it speaks of objecting or of AI."""
        other = self.link.exclude_pattern("word")
        if other is not None and other.search(title):
            return "other"
        return "objection" if self.purpose_pattern().search(title) else "unrecognised"

    def says_new_code_sent(self, message: str) -> bool:
        """The site says it sent a new code ('we've sent you a new one'), not that one may be asked for."""
        return bool(self._new_code_sent().search(message))

    def _new_code_sent(self) -> re.Pattern:
        return _compile(_in_one_sentence(self._text(self.new_code_text), self._text(self.code_sent_text)))

    def onward_pattern(self) -> re.Pattern:
        return compiled(_phrases(self.onward_text), "whole word")

    def yes_pattern(self) -> re.Pattern:
        return compiled(_phrases(self.yes_answer), "whole")

    def yes_word_pattern(self) -> re.Pattern:
        """A yes among other words: what a list of the page's own making shows once it is chosen ("Tak ▾")."""
        return compiled(_phrases(self.yes_answer), "whole word")

    def cookie_choice(self) -> re.Pattern:
        """Words of a button that makes a cookie choice, either way."""
        return _alternation(*(phrase_source(_phrases(e.names), e._at) for e in (self.cookie_decline, self.cookie_accept)))

    def compile_patterns(self, answers: bool = True) -> None:
        """Build every pattern now (they are kept), e.g. while the browser starts, so that the first
        look at a page does not wait for them. Without `answers`, not those Meta's answers are read
        with: a run builds them once it knows the form's languages (`narrowed`)."""
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, Element):
                if value.nearby:
                    value.nearby_pattern()
                value.pattern()
                value.preferred_pattern()
                value.exclude_pattern()
        # The link's candidates are ranked by each of its phrases, and by the words of third parties' form.
        self.link.name_rank("")
        self.link.exclude_pattern("word")
        self.ai_pattern()
        self.text_pattern(self.code.names)
        self.text_pattern(self.ai_question)
        self.purpose_pattern()
        self.yes_pattern()
        self.cookie_choice()
        self.others_forms()  # loads the other targets' recipes (validated, ~3 ms): not during the run either
        if answers:
            self.compile_answer_patterns()

    def compile_answer_patterns(self) -> None:
        """Build the patterns Meta's answers are read with (see compile_patterns)."""
        self.together(self.not_received_text, self.code.names)
        self.error_pattern()
        self.error_pattern(fields=True)
        self.confirmation_pattern()
        self.text_pattern(self.not_received_text)
        self.pending_pattern()
        self.text_pattern(self.already_text)
        self.expired_pattern()
        self._new_code_sent()
        self.text_pattern(self.new_code_text)  # after the code, thanks beside a new code are none

    def narrowed(self, languages: Collection[str]) -> Recipe:
        """This recipe with the words of Meta's answers (ANSWER_TEXTS) in `languages` only. A run
        reads the answers in the languages of the form's page: in all 23, the looks at an answer sent
        ~200 KB of patterns each and took ~0.45 s of a run's 2.6 s (docs/speed.md)."""
        keep = set(languages)
        return self.model_copy(update={name: {lang: words for lang, words in getattr(self, name).items() if lang in keep}
                                       for name in ANSWER_TEXTS})

    def language_sources(self) -> dict[str, str]:
        """Per language, a pattern source of the words a form's page shows (the link's, the AI
        passage's, the form's fields and buttons), in the browser's syntax: which languages a page
        is in, whatever its tag says."""
        said = [self.link.names, self.link.weak_names, self.ai_text, self.ai_question, self.onward_text,
                *(self.element(name).names for name in (*FORM_ELEMENTS, "code", "confirm"))]
        words = {lang: {p.strip() for vocabulary in said for p in vocabulary.get(lang, ())} for lang in LANGUAGES}
        # Only a language's own words: 'Email' and 'Send' are many languages', short ones the start of others' ('Mi').
        owners: dict[str, set[str]] = {}
        for lang, phrases in words.items():
            for phrase in phrases:
                owners.setdefault(phrase.casefold(), set()).add(lang)
        return {lang: phrase_source(tuple(sorted(own)), "whole word") for lang, phrases in words.items()
                if (own := {p for p in phrases if owners[p.casefold()] == {lang} and (len(p) >= 5 or " " in p)})}

    def other_app_at(self, url: str) -> Recipe | None:
        """The other app whose page `url` is: by a known form's id in its path, else an app named by
        a part of its path (Instagram's help pages are also at www.facebook.com/help/instagram/...),
        else by its host (help.instagram.com, for Facebook's recipe). None for this app's own pages
        and where nothing names an app (a test server)."""
        parts = urlsplit(url)
        path = parts.path.lower().split("/")
        apps = [load(target) for target in TARGETS]
        for named in (lambda app: set(path) & set(app.form_ids()), lambda app: set(path) & set(app.address_names),
                      lambda app: set((parts.hostname or "").lower().split(".")) & set(app.address_names)):
            if app := next((app for app in apps if named(app)), None):
                return None if app.target == self.target else app
        return None

    def element(self, name: str) -> Element:
        return getattr(self, name)

    def form_ids(self) -> list[str]:
        """The ids of this target's known objection forms (the last part of their addresses)."""
        return [str(url).rstrip("/").rsplit("/", 1)[-1] for url in self.fallback_form_urls]

    def lists_form(self, url: str) -> bool:
        """`url` is one of this target's known objection forms (by the id in its path)."""
        return bool(set(urlsplit(url).path.split("/")) & set(self.form_ids()))

    def others_forms(self) -> dict[str, Recipe]:
        """The other targets' known form ids, with their recipe (Instagram's objection form, for
        Facebook): sending one of those would file the objection for the wrong app."""
        own = set(self.form_ids())
        return {i: load(target) for target in TARGETS if target != self.target for i in load(target).form_ids() if i not in own}


FORM_ELEMENTS = ("country", "email", "reason", "send")
# What Meta's answers say: read, once the form is found, in its page's languages only (Recipe.narrowed).
ANSWER_TEXTS = ("confirmation_text", "success_text", "request_text", "negation_text", "short_negation_text",
                "negative_determiner_text", "review_text", "not_received_text", "condition_text", "not_refusal_text", "link_text", "verify_text", "verify_link_text",
                "link_back_text", "already_text", "already_received_text", "error_text", "problem_text", "field_error_text",
                "not_error_text", "expired_text", "new_code_text", "code_sent_text")


def _raw(target: str) -> dict:
    path = resources.files("optout_bot.recipes").joinpath(f"{target}.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RecipeError(f"The recipe {path} is not valid JSON: line {exc.lineno}, column {exc.colno}: {exc.msg}.") from None
    base = data.pop("extends", None)
    # A recipe may build on another: the same vocabulary, its own URLs and hooks.
    return {**_raw(base), **data} if base else data


class RecipeError(OptoutError):
    """A recipe file that does not load: a maintainer's edit to mend, named down to the field."""

    def __init__(self, message: str):
        super().__init__(message, hint="Mend it as docs/maintainers.md describes; `optout-bot check` loads it again.")


@lru_cache(maxsize=None)
def load(target: str) -> Recipe:
    try:
        return Recipe.model_validate(_raw(target))
    except ValidationError as exc:
        problems = [": ".join(filter(None, (".".join(map(str, e["loc"])), e["msg"].removeprefix("Value error, ")))) for e in exc.errors()]
        more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
        path = resources.files("optout_bot.recipes").joinpath(f"{target}.json")
        raise RecipeError(f"The recipe {path} does not hold together: {'; '.join(problems[:5])}{more}.") from None


def targets() -> list[str]:
    return sorted(p.name.removesuffix(".json") for p in resources.files("optout_bot.recipes").iterdir() if p.name.endswith(".json"))
