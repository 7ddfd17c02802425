"""Tansiq: a neutral coordination hub for places divided between rival authorities."""

__version__ = "0.1.0"
