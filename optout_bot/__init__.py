"""optout-bot: object to Meta's use of your posts for AI training, with you in charge."""

__version__ = "0.1.0"
TARGETS = ("instagram", "facebook")  # here, so the CLI can offer them without importing pydantic
