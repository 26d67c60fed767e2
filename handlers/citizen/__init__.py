"""The citizen's conversation: menu, intake questions, FAQ answers, look-up, rating, language.

Owns everything a person on Zalo, Telegram or the console sees and types. May import the shared
vocabulary at handlers/ level (events, choices, textutil, turn, services, directory, understand),
handlers.schedule.worktime, storage/ and faq/; never a messenger SDK or bot/.
"""
