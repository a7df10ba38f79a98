"""Lotse: a multilingual chat bot that helps newcomers in German districts find nearby help."""

from pathlib import Path

__version__ = "0.1.0"

#: The repository root; intents/, locales/ and data/ live beside the package.
ROOT = Path(__file__).resolve().parent.parent
