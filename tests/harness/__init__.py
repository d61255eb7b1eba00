"""Harnesses that run the bot as real processes: kill -9 cycles, several instances, load."""
