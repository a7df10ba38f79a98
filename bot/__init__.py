"""Lotse: a multilingual chat bot that helps newcomers in German districts find nearby help."""

__version__ = "0.1.0"
