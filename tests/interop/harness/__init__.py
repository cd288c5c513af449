"""Helpers shared by floe's interop tests: the real services and tools they drive."""
