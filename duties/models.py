"""Duties: each role's recurring duties with checklists, and their instances."""
