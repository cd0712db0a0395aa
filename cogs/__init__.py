"""Features, one extension per module; each module ends in `async def setup(bot)`."""
