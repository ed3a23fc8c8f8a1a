"""Model providers: interfaces (`base`), the registry, the recording gateway, and adapters."""
