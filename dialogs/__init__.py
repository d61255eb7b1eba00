"""Multi-turn one-to-one flows (group-chat dialog state would be shared by everyone)."""
