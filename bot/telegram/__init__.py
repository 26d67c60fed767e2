"""Telegram adapter: the aiogram wiring, the update runner (polling and webhook), the sender.

The only package that imports aiogram (bot.telegram.aiogram_types is imported first: see that
module). Turns updates into handlers' events and outbox rows into Bot API calls.
"""
