"""The weekly email to parents (missing and upcoming work, grades returned, attendance)."""
