"""The agent pipeline: a requested piece goes in, versioned drafts with evaluations come out.

No Qt here. Progress is reported as plain events (``app.agents.events``); the GUI turns them
into signals, the CLI prints them.
"""
