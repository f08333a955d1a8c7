"""The one-stop window (一站式受理): tickets (办件), their timeline, the staff queue, ratings."""
