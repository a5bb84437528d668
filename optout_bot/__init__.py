"""optout-bot: object to Meta's use of your posts for AI training, with you in charge."""

__version__ = "0.1.0"
