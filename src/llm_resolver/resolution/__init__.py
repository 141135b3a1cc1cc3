"""Resolution: specs, scopes and the resolvers that turn one into a dependency."""
