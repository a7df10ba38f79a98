"""What Lotse knows beyond intents/: topics staff own and the answers a district writes for any topic."""
