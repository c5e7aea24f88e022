"""Live runs: agent lanes on worker threads, and the monitor that shows them."""
