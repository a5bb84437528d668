"""optout-bot: object to Meta's use of your posts for AI training, with you in charge."""

__version__ = "0.1.0"
TARGETS = ("instagram", "facebook")  # here, so the CLI can offer them without importing pydantic
# The languages of Meta's pages where people have a right to object (EU, EEA, UK, Brazil): the
# recipes have words for each, and country names are read in each. Irish, Maltese and Luxembourgish
# readers get Meta's pages in English, French or German.
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "ro",
             "sv", "da", "nb", "fi", "cs", "sk", "el", "hu", "bg", "hr", "sl", "lt", "lv", "et")
# Tags that name one of those languages another way ("no" is Norwegian, written as Bokmål by Meta).
SAME_LANGUAGE = {"no": "nb"}
