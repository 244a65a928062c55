"""Enrolment's emails: templates (id/en, text and HTML), backends (SMTP, files), the mailer job.

Use cases queue a notification in their transaction
(:func:`services.enrolment.service.notifications.queue`); the ``mailer`` job
(:mod:`.mailer`) renders (:mod:`.render`) and sends (:mod:`.backends`) it
after commit, retrying with backoff, as configured in :mod:`.settings`.
"""
