"""Tutoring centres: the sites (campuses, branches) of one organization, their rooms, and who
belongs to which centre. A school with one site has at most one centre and sees no centre UI."""
