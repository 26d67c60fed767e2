import sys

# First, before anything imports aiogram: its Bot API types are then built when first used
# instead of all at import (about 100 MB less resident memory; see bot/aiogram_types.py).
from bot import aiogram_types  # noqa: F401
from bot.cli import main

sys.exit(main())
