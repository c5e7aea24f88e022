"""Domain values and rules shared by services, the CLI and the UI."""
