"""Provider-neutral data types shared by every layer."""
