"""Platform-free domain types."""
