"""Copydesk core: domain, database, LLM client, agents, sources, services and CLI (no Qt)."""

__version__ = "0.1.0"
