"""Glossary Widget: highlights glossary terms on partner articles; server, API and static export."""

__version__ = "0.1.0"
