"""Time: working hours (deadlines, reminders) and the bodies of the scheduled jobs.

worktime is pure time arithmetic (no storage); jobs reads storage and emits events. Never
imports a messenger SDK or bot/.
"""
