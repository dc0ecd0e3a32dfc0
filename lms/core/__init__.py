"""What every domain stands on: the organization, its academic year, its local time, and the signals.

Core depends on ``lms.common`` and the infrastructure modules only, never on a domain.
"""
