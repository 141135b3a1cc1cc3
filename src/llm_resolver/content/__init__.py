"""A request's content made ready to send: deferred sources loaded, images held to the providers' limits."""
