"""Accord: the system of record for international S&T cooperation programmes."""

__version__ = "0.1.0"
