"""Incidents: many reports of one problem: detection, staff commands, holding and closing them.

May import handlers/ shared modules, handlers.schedule.worktime, storage/ and faq/; never a
messenger SDK or bot/.
"""
