"""Zalo adapters: the Zalo Bot API (polling/webhook, sender) and the Official Account (OA).

Talks to Zalo over httpx; turns Zalo events into handlers' events and outbox rows into API calls.
Nothing outside bot/ imports it.
"""
