"""School communication: announcements (targeted, scheduled, read status) and in-app notifications."""
