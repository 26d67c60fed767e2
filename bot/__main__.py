import sys

from bot.cli import main

# First, before anything imports aiogram: its Bot API types are then built when first used
# instead of all at import (about 100 MB less resident memory; see bot/telegram/aiogram_types.py).
from bot.telegram import aiogram_types  # noqa: F401

sys.exit(main())
