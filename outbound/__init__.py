"""Everything the bot sends on its own: the Bot Connector client, tokens, and the outbox worker."""
