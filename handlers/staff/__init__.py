"""The task force's desk in the staff group: case cards, commands, the queue, relaying replies.

May import handlers/ shared modules, handlers.schedule (deadlines), handlers.incidents (incident
notices on cards), storage/ and faq/; never a messenger SDK or bot/.
"""
