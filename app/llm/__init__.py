"""Talking to language models: the OpenRouter client, cancellation, typed errors, the model
catalog and the usage ledger. No Qt here; workers call these from their own threads."""
