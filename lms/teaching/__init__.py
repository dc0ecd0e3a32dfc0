"""Teaching sessions (seeds 000 and 004): a teacher, a course, many students, a time window."""
