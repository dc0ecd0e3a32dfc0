"""Assessments: the bank, questions and media, taking on a phone, grading, gradebook, progress.

Modules:

* ``models`` — the tables; ``questions`` — question types, validation and scoring (pure);
* ``media`` — ``[[media:label]]`` in question text; ``services`` — visibility, the bank and authoring;
* ``taking`` — attempts, autosave, submit; ``grading`` — the queue, grading, re-scoring;
* ``gradebook`` — gradebook and student progress; ``interchange`` / ``gift`` — import and export;
* ``hooks`` — what other domains see (resource visibility and usage, section pages);
* ``views_*`` — the blueprints.
"""
