"""Text in pictures (issue #21): Tesseract reads the screenshots people send.

* ``tesseract`` — the command (stdin → stdout, one core), whether it is installed with Vietnamese;
* ``prepare`` — upright, grey, light background, enlarged, sharpened (what measurably helps);
* ``errors`` — the few lines of a screen that make its error message;
* ``mask`` — CCCD and phone numbers replaced before the text is kept, shown or logged;
* ``recognise`` — one picture's bytes to its masked text and error lines (blocking);
* ``pictures`` — the asynchronous side: download within the size limit, read in a worker
  thread with a time cap, put the error lines on the attachment (bot.app.Application.receive).

Optional: without Tesseract the bot works as before and says once at start how to install it.
May import handlers.events and bot.zalo.files / bot.delivery.channel (file sources); nothing
of handlers/ imports it.
"""
