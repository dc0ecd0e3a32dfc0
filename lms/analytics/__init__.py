"""Login analytics: time online per user, classroom and school, in the organization's timezone."""
