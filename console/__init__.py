"""The facilitator console: a web page in the meeting's side panel, served by the bot's own
aiohttp app under /console/. An edge beside handlers/: its routes read and act only through the
domain services the cards and commands use (FlagService.act, SessionService, the facilitator
policy), so a click here and a click on the 1:1 flag card do exactly the same thing.
"""
