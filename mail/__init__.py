"""Outgoing email and SMS: message texts (`messages`), delivery backends
(`transports`) and the outbox sender (`sender`), see SPEC 6."""
