"""The FAQ knowledge base as the task force keeps it (issue #20): drafts, edits and approvals
in the staff group, the regression gate before anything goes live, and answers sent with /traloi.
The topics live in the database (storage.faq_models); faq/ stays the pure matcher."""
