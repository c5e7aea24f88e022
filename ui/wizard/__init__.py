"""The new-piece wizard: project and skill, brand voice, sources, platforms, summary."""
