"""Tests of the Discord adapter (offline: a fake client stands in for Discord)."""

import warnings

# discord.py imports audioop for voice (unused here), deprecated since Python 3.11: not our warning.
warnings.filterwarnings("ignore", message="'audioop' is deprecated", category=DeprecationWarning)
