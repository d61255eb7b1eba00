"""Domain services: sessions, consent, roles and reminders. No botbuilder types here."""
