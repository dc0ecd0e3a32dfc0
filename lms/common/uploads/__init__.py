"""Checks every upload passes, whatever it is for (library files, photos, the school's logo):
what the file is by its content (``sniffing``, ``formats``), images Pillow reads within a size
(``images``), and a virus scan when the instance enables one (``virus_scan``)."""
