"""One function per user intent: transactions, permission checks, audit; frozen results back."""
