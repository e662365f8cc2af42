"""Django-free pure helpers."""
