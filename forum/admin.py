from forum import moderation_admin  # noqa: F401  (registers the moderation admin)
