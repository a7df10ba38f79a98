"""The WhatsApp channel on the WhatsApp Cloud API: webhook in Lotse's own aiohttp app, replies through pywa."""
