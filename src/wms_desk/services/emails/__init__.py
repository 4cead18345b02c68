"""Customer e-mails: SMTP settings, editable templates, the SMTP delivery and the triggers."""
