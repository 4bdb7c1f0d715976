"""The Data page: where the data lives, import with a column mapping, export, users, reset."""
