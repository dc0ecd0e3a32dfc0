"""Curriculum: core subjects, subjects, units, parts, sections, outline import, progress."""
