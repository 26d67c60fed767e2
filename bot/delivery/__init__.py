"""Delivery: the durable outbox, per-chat rate limits and the channel registry that sends rows.

Every message the bot sends is an outbox row first; this package leases, sends and retries rows
through the channel adapters registered with it. No messenger SDK here: adapters plug in.
"""
