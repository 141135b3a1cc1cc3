"""Host-side injection: a name → spec map and the decorator handlers use to ask for dependencies."""
