"""Streams: chunk delivery, assembly into a final response, and closing the connection."""
